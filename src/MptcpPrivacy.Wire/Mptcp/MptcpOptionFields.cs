using MptcpPrivacy.Wire.Ip;

namespace MptcpPrivacy.Wire.Mptcp;

/// <summary>
/// Receives the fields of an MPTCP option, one call a field, in wire order. The JSON and text
/// printers of <c>decode</c> (and later the audit) are sinks, so the list of fields per subtype and
/// their names live in one place: <see cref="MptcpOptionFields"/>.
/// </summary>
public interface IMptcpOptionFieldSink
{
    /// <summary>A value printed as lowercase hex with a fixed number of digits (keys, tokens, nonces, HMACs, checksums).</summary>
    void Hex(string name, ulong value, int digits);

    /// <summary>A 160-bit HMAC, printed as 40 lowercase hex digits.</summary>
    void Hex(string name, Hmac160 value);

    /// <summary>A plain unsigned number (versions, flags, IDs, ports, sequence numbers).</summary>
    void Number(string name, ulong value);

    /// <summary>A yes/no field.</summary>
    void Flag(string name, bool value);

    /// <summary>An IP address.</summary>
    void Address(string name, IpAddressBytes value);

    /// <summary>A list of small numbers (REMOVE_ADDR's address IDs).</summary>
    void Numbers(string name, scoped ReadOnlySpan<byte> values);

    /// <summary>Raw bytes, printed as lowercase hex.</summary>
    void Bytes(string name, scoped ReadOnlySpan<byte> value);

    /// <summary>A word from a fixed vocabulary (the MP_JOIN form, a reset reason's description).</summary>
    void Word(string name, string value);
}

/// <summary>Lists the fields of each MPTCP option under the names <c>decode --json</c> documents.</summary>
public static class MptcpOptionFields
{
    /// <summary>Calls <paramref name="sink"/> once for each field the option carries, in wire order.</summary>
    public static void Visit<TSink>(in MptcpOption option, ref TSink sink)
        where TSink : IMptcpOptionFieldSink, allows ref struct
    {
        switch (option.Subtype)
        {
            case MptcpSubtype.MpCapable:
            {
                MpCapableOption o = option.MpCapable;
                sink.Number("version", o.Version);
                sink.Number("flags", (byte)o.Flags);
                if (o.HasSenderKey) sink.Hex("senderKey", o.SenderKey, 16);
                if (o.HasReceiverKey) sink.Hex("receiverKey", o.ReceiverKey, 16);
                if (o.HasDataLevelLength) sink.Number("dataLength", o.DataLevelLength);
                if (o.HasChecksum) sink.Hex("checksum", o.Checksum, 4);
                break;
            }

            case MptcpSubtype.MpJoin:
            {
                MpJoinOption o = option.MpJoin;
                sink.Word("form", o.Form switch { MpJoinForm.Syn => "SYN", MpJoinForm.SynAck => "SYN/ACK", _ => "ACK" });
                if (o.Form != MpJoinForm.Ack)
                {
                    sink.Flag("backup", o.Backup);
                    sink.Number("addressId", o.AddressId);
                }

                if (o.Form == MpJoinForm.Syn) sink.Hex("token", o.ReceiverToken, 8);
                if (o.Form == MpJoinForm.SynAck) sink.Hex("hmac", o.TruncatedHmac, 16);
                if (o.Form != MpJoinForm.Ack) sink.Hex("nonce", o.SenderNonce, 8);
                if (o.Form == MpJoinForm.Ack) sink.Hex("hmac", o.Hmac);
                break;
            }

            case MptcpSubtype.Dss:
            {
                DssOption o = option.Dss;
                sink.Number("flags", (byte)o.Flags);
                sink.Flag("dataFin", o.DataFin);
                if (o.HasDataAck)
                {
                    sink.Number("dataAck", o.DataAck);
                    sink.Number("dataAckBits", o.DataAckIs64Bit ? 64u : 32u);
                }

                if (o.HasMapping)
                {
                    sink.Number("dsn", o.DataSequenceNumber);
                    sink.Number("dsnBits", o.DsnIs64Bit ? 64u : 32u);
                    sink.Number("ssn", o.SubflowSequenceNumber);
                    sink.Number("dataLength", o.DataLevelLength);
                    if (o.HasChecksum) sink.Hex("checksum", o.Checksum, 4);
                }

                break;
            }

            case MptcpSubtype.AddAddr:
            {
                AddAddrOption o = option.AddAddr;
                if (o.IsVersion0) sink.Number("version", 0);
                sink.Flag("echo", o.Echo);
                sink.Number("addressId", o.AddressId);
                sink.Address("address", o.Address);
                if (o.HasPort) sink.Number("port", o.Port);
                if (o.HasHmac) sink.Hex("hmac", o.TruncatedHmac, 16);
                break;
            }

            case MptcpSubtype.RemoveAddr:
            {
                RemoveAddrOption o = option.RemoveAddr;
                Span<byte> ids = stackalloc byte[RemoveAddrOption.MaxAddressIds];
                sink.Numbers("addressIds", ids[..o.CopyAddressIdsTo(ids)]);
                break;
            }

            case MptcpSubtype.MpPrio:
            {
                MpPrioOption o = option.MpPrio;
                sink.Flag("backup", o.Backup);
                if (o.HasAddressId) sink.Number("addressId", o.AddressId);
                break;
            }

            case MptcpSubtype.MpFail:
                sink.Number("dsn", option.MpFail.DataSequenceNumber);
                break;

            case MptcpSubtype.MpFastClose:
                sink.Hex("receiverKey", option.MpFastClose.ReceiverKey, 16);
                break;

            case MptcpSubtype.MpTcpRst:
            {
                MpTcpRstOption o = option.MpTcpRst;
                sink.Number("flags", (byte)o.Flags);
                sink.Flag("transient", o.Transient);
                sink.Number("reason", o.Reason);
                sink.Word("reasonText", MpTcpRstOption.Describe(o.Reason));
                break;
            }

            default:
            {
                MpExperimentalOption o = option.MpExperimental;
                sink.Number("flags", o.LowNibble);
                Span<byte> data = stackalloc byte[MptcpOptionHeader.MaxLength];
                sink.Bytes("data", data[..o.CopyDataTo(data)]);
                break;
            }
        }
    }
}
