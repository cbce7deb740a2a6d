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

    /**
     * @param stream the stream's name, e.g. {@code room/42}
     * @return the signed name a client subscribes with; valid until {@code streams_secret} changes
     */
    String sign(String stream);
}
