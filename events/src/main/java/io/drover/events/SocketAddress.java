package io.drover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code SocketAddress} union, flattened: {@code type} names the variant and only that variant's
 * members are present. Drover meets it as {@code socket-address} in {@code query-migrate} on the
 * destination (QEMU 4.0), e.g. {@code {"type": "inet", "host": "127.0.0.1", "port": "44444", "ipv4": true}}.
 *
 * @param type          {@code inet}, {@code unix}, {@code vsock} or {@code fd}
 * @param host          inet: host name or address
 * @param port          inet and vsock: port, as a string (QEMU's type)
 * @param numeric       inet: host and port are numeric
 * @param to            inet: last port to try
 * @param ipv4          inet: use IPv4
 * @param ipv6          inet: use IPv6
 * @param keepAlive     inet: enable keep-alive (4.2)
 * @param mptcp         inet: use multipath TCP (6.1)
 * @param path          unix: socket path
 * @param linuxAbstract unix: Linux abstract socket, QEMU's {@code abstract} (5.1)
 * @param tight         unix: tight abstract address length (5.1)
 * @param cid           vsock: context identifier
 * @param str           fd: file descriptor name or number
 */
public record SocketAddress(
        @JsonProperty("type") String type,
        @JsonProperty("host") String host,
        @JsonProperty("port") String port,
        @JsonProperty("numeric") Boolean numeric,
        @JsonProperty("to") Long to,
        @JsonProperty("ipv4") Boolean ipv4,
        @JsonProperty("ipv6") Boolean ipv6,
        @JsonProperty("keep-alive") Boolean keepAlive,
        @JsonProperty("mptcp") Boolean mptcp,
        @JsonProperty("path") String path,
        @JsonProperty("abstract") Boolean linuxAbstract,
        @JsonProperty("tight") Boolean tight,
        @JsonProperty("cid") String cid,
        @JsonProperty("str") String str) {

    /** An {@code inet} address as QEMU reports it for a listening migration socket. */
    public static SocketAddress inet(String host, String port, Boolean ipv4, Boolean ipv6) {
        return new SocketAddress("inet", host, port, null, null, ipv4, ipv6, null, null, null, null, null, null,
                null);
    }
}
