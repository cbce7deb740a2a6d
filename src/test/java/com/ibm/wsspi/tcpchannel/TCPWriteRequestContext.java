package com.ibm.wsspi.tcpchannel;

/** Test stand-in for Open Liberty's channel SPI type of the same name; buffers are the test's own type. */
public interface TCPWriteRequestContext {
    void setBuffers(Buffer[] buffers);

    /** Returns the connection when the write completed at once, else null and {@code callback} runs later. */
    Object write(long numBytes, TCPWriteCompletedCallback callback, boolean forceQueue, int timeout);

    /** Stands in for Liberty's {@code WsByteBuffer} (found through the pool manager's {@code wrap}). */
    interface Buffer {
        byte[] array();
    }
}
