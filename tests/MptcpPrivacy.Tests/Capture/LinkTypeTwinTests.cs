namespace MptcpPrivacy.Tests.Capture;

public class LinkTypeTwinTests
{
    // MptcpPrivacy.Capture carries its own copy of LinkType until it references MptcpPrivacy.Wire;
    // casts between the two are only correct while both name the same values.
    [Fact]
    public void Capture_and_Wire_link_types_have_the_same_names_and_values()
    {
        var wire = Enum.GetValues<MptcpPrivacy.Wire.Link.LinkType>().ToDictionary(v => v.ToString(), v => (ushort)v);
        var capture = Enum.GetValues<MptcpPrivacy.Capture.LinkType>().ToDictionary(v => v.ToString(), v => (ushort)v);
        Assert.Equal(wire.OrderBy(p => p.Key), capture.OrderBy(p => p.Key));
        Assert.Equal(8, wire.Count);
    }
}
