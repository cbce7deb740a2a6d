package dev.jcable.api;

/**
 * Signs stream names for clients of the same application, so that a page can subscribe with
 * {@code cable.streamFromSigned(name)} and never learn a secret:
 * <pre>{@code
 * @Inject StreamSigner signer;
 * String signed = signer.sign("room/42");
 * }</pre>
 * Signed with {@code streams_secret}, exactly as AnyCable's Ruby and JS SDKs sign.
 */
public interface StreamSigner {

    String sign(String stream);
}
