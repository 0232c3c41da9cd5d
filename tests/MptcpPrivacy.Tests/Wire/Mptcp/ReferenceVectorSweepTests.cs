using MptcpPrivacy.Wire.Mptcp;
using static MptcpPrivacy.Tests.Wire.Mptcp.OptionBytes;

namespace MptcpPrivacy.Tests.Wire.Mptcp;

/// <summary>
/// Every option byte string of shared/reference/mptcp-vectors.md §3 parses as its subtype and
/// encodes back to itself (the per-subtype files check their fields one by one).
/// </summary>
public class ReferenceVectorSweepTests
{
    public static TheoryData<string, string, MptcpSubtype> Vectors => new()
    {
        // §3.1 tcpdump mptcp-v0.pcap
        { "3.1 SYN", "1e0c00819c9eabd1e46a33b2", MptcpSubtype.MpCapable },
        { "3.1 SYN/ACK", "1e0c0081967d2770b6960552", MptcpSubtype.MpCapable },
        { "3.1 ACK", "1e1400819c9eabd1e46a33b2967d2770b6960552", MptcpSubtype.MpCapable },
        { "3.1 ADD_ADDR v0", "1e0834010a010202", MptcpSubtype.AddAddr },
        { "3.1 REMOVE_ADDR", "1e044000", MptcpSubtype.RemoveAddr },
        { "3.1 MP_JOIN SYN", "1e0c1000e47f01421b665a18", MptcpSubtype.MpJoin },
        { "3.1 MP_JOIN SYN/ACK", "1e1010015ab680c7884af03d33abe9d5", MptcpSubtype.MpJoin },
        { "3.1 MP_JOIN ACK", "1e181000cb7b87f5e5f0502f43b535fb70ef6607df2e6c7a", MptcpSubtype.MpJoin },
        { "3.1 DSS", "1e142005d52abecad1b97490000000010029082f", MptcpSubtype.Dss },
        { "3.1 DATA_FIN", "1e142015d1b99601d52ad2cb0000000000010a51", MptcpSubtype.Dss },
        // §3.2 tcpdump mptcp-fclose.pcap
        { "3.2 SYN", "1e0c00819b59be3d695e66a7", MptcpSubtype.MpCapable },
        { "3.2 SYN/ACK", "1e0c0081d005b1ab34bad344", MptcpSubtype.MpCapable },
        { "3.2 DSS client", "1e142005c9dc1c61b1712fb60000000100019e91", MptcpSubtype.Dss },
        { "3.2 DSS server", "1e142005b1712fb7c9dc1c6100000001000154ab", MptcpSubtype.Dss },
        { "3.2 MP_FASTCLOSE", "1e0c7000d005b1ab34bad344", MptcpSubtype.MpFastClose },
        // §3.3 tcpdump mptcp-v1.pcap
        { "3.3 SYN", "1e040101", MptcpSubtype.MpCapable },
        { "3.3 SYN/ACK", "1e0c010129a6c86981ad933c", MptcpSubtype.MpCapable },
        { "3.3 ACK", "1e1401011fdb5df328bc3def29a6c86981ad933c", MptcpSubtype.MpCapable },
        { "3.3 ACK+data", "1e1601011fdb5df328bc3def29a6c86981ad933c2000", MptcpSubtype.MpCapable },
        { "3.3 DSS data", "1e1a200fc8072fb90edab04ea28e87fddd1d30f2000000012000", MptcpSubtype.Dss },
        { "3.3 DSS ack", "1e0c2003c8072fb90edab04e", MptcpSubtype.Dss },
        { "3.3 DATA_FIN", "1e1a201fa28e87fddd1d50f2c8072fb90edad86a000000000001", MptcpSubtype.Dss },
        // §3.4, §3.5 tcpdump
        { "3.4 ADD_ADDR pre-fix", "1e103001c0a888e1669928744366716c", MptcpSubtype.AddAddr },
        { "3.5 MP_TCPRST", "1e048000", MptcpSubtype.MpTcpRst },
        { "3.5 MP_TCPRST T", "1e048101", MptcpSubtype.MpTcpRst },
        { "3.5 ADD_ADDR", "1e1030010a000201f8295862f645df19", MptcpSubtype.AddAddr },
        { "3.5 ADD_ADDR echo", "1e0831010a000201", MptcpSubtype.AddAddr },
        // §3.6 Linux 6.18, run 1
        { "3.6.1 SYN", "1e040101", MptcpSubtype.MpCapable },
        { "3.6.1 SYN/ACK", "1e0c010151d0fb20c349c707", MptcpSubtype.MpCapable },
        { "3.6.1 ACK", "1e140101d150f2d9ca40e49f51d0fb20c349c707", MptcpSubtype.MpCapable },
        { "3.6.1 ADD_ADDR port", "1e1230067f00000327744cbe3f13dbd2987e", MptcpSubtype.AddAddr },
        { "3.6.1 ADD_ADDR echo port", "1e0a31067f0000032774", MptcpSubtype.AddAddr },
        { "3.6.1 ADD_ADDR client port", "1e1230067f0000032774e3e53e8301210377", MptcpSubtype.AddAddr },
        { "3.6.1 ADD_ADDR client", "1e1030057f0000028d999a2b6c423bd5", MptcpSubtype.AddAddr },
        { "3.6.1 ADD_ADDR server", "1e1030057f000002b9349088eb5fadbf", MptcpSubtype.AddAddr },
        { "3.6.1 ADD_ADDR echo", "1e0831057f000002", MptcpSubtype.AddAddr },
        { "3.6.1 MP_JOIN SYN", "1e0c1000fed3c4debdd4ead3", MptcpSubtype.MpJoin },
        { "3.6.1 MP_JOIN SYN/ACK", "1e1010066dfc290451dc97f43f43c07e", MptcpSubtype.MpJoin },
        { "3.6.1 MP_JOIN ACK", "1e1810005754604c866013241d1a504a6b67ed1c68f45024", MptcpSubtype.MpJoin },
        { "3.6.1 DSS client", "1e16200da2fe1ba2187e683b715df39500000001000f", MptcpSubtype.Dss },
        { "3.6.1 DSS server", "1e1a200f187e683b715df3a4617b8870a2fe1ba200000001000f", MptcpSubtype.Dss },
        { "3.6.1 DSS ack", "1e0c2003617b8870a2fe1ba2", MptcpSubtype.Dss },
        { "3.6.1 REMOVE_ADDR", "1e044006", MptcpSubtype.RemoveAddr },
        { "3.6.1 DATA_FIN client", "1e1a201f617b8870a2fe1c4c187e683b715df43f000000000001", MptcpSubtype.Dss },
        { "3.6.1 DATA_FIN server", "1e1a201f187e683b715df440617b8870a2fe1c4c000000000001", MptcpSubtype.Dss },
        // §3.6 run 2
        { "3.6.2 SYN", "1e040181", MptcpSubtype.MpCapable },
        { "3.6.2 SYN/ACK", "1e0c0181cde5b266e90a4e72", MptcpSubtype.MpCapable },
        { "3.6.2 ACK", "1e140181e31b40559375d185cde5b266e90a4e72", MptcpSubtype.MpCapable },
        { "3.6.2 ADD_ADDR", "1e1030057f0000023d75929189a6e12c", MptcpSubtype.AddAddr },
        { "3.6.2 MP_JOIN SYN", "1e0c1000c17011d7c75192d4", MptcpSubtype.MpJoin },
        { "3.6.2 MP_JOIN SYN/ACK", "1e101005d2c3ec8497c182df61b23458", MptcpSubtype.MpJoin },
        { "3.6.2 MP_JOIN ACK", "1e1810000eb07b6ee20410c02e5a791e377c14de7c99d05f", MptcpSubtype.MpJoin },
        { "3.6.2 DSS csum client", "1e18200d1b14ed5867f5bfea422d70f000000001000f54c1", MptcpSubtype.Dss },
        { "3.6.2 DSS csum server", "1e1c200f67f5bfea422d70ff08283d461b14ed5800000001000fe1e3", MptcpSubtype.Dss },
        { "3.6.2 MP_PRIO", "1e0351", MptcpSubtype.MpPrio },
        { "3.6.2 MP_FASTCLOSE", "1e0c7000cde5b266e90a4e72", MptcpSubtype.MpFastClose },
        { "3.6.2 MP_TCPRST", "1e048000", MptcpSubtype.MpTcpRst },
        // §3.6 run 3 (IPv6)
        { "3.6.3 ADD_ADDR6", "1e1c300700000000000000000000000000000002f8a8445239c3a9c2", MptcpSubtype.AddAddr },
        { "3.6.3 ADD_ADDR6 echo", "1e14310700000000000000000000000000000002", MptcpSubtype.AddAddr },
        { "3.6.3 MP_JOIN SYN", "1e0c1007133d7175cd71f13e", MptcpSubtype.MpJoin },
        { "3.6.3 MP_JOIN SYN/ACK", "1e1010073acd57417609dd8553222140", MptcpSubtype.MpJoin },
        { "3.6.3 MP_JOIN ACK", "1e181000266ca74246a9a923c70d118bae44ed329ee68c43", MptcpSubtype.MpJoin },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void ParsesAsItsSubtypeAndEncodesBack(string source, string hex, MptcpSubtype subtype)
    {
        Assert.False(string.IsNullOrEmpty(source));
        Parse(hex, subtype);
        AssertWritesBackAndRefusesTruncation(hex);
    }
}
