package com.ibm.wsspi.tcpchannel;

import java.io.IOException;

/** Test stand-in for Open Liberty's channel SPI type of the same name. */
public interface TCPWriteCompletedCallback {
    void complete(Object connection, TCPWriteRequestContext context);

    void error(Object connection, TCPWriteRequestContext context, IOException failure);
}
