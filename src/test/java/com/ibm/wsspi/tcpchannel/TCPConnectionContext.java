package com.ibm.wsspi.tcpchannel;

/**
 * Test stand-in for Open Liberty's channel SPI type of the same name (not on jcable's class path), with just what
 * {@code dev.jcable.session.LibertyTransport} looks up by name.
 */
public interface TCPConnectionContext {
    TCPWriteRequestContext getWriteInterface();

    Object getSSLContext();
}
