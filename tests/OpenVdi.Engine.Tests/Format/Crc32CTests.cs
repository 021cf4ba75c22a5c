using System.Text;
using OpenVdi.Engine.Format;
using ArmCrc32 = System.Runtime.Intrinsics.Arm.Crc32;
using X86Sse42 = System.Runtime.Intrinsics.X86.Sse42;

namespace OpenVdi.Engine.Tests.Format;

public class Crc32CTests
{
    [Fact]
    public void Check_value_of_123456789_is_E3069283()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Matches_the_iSCSI_test_vectors_of_RFC_3720()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
    }

    [Fact]
    public void Empty_input_gives_zero()
    {
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(767)]
    [InlineData(768)]
    [InlineData(769)]
    [InlineData(24575)]
    [InlineData(24576)]
    [InlineData(24577)]
    [InlineData(1 << 20)]
    [InlineData((1 << 20) + 13)]
    public void Hardware_lanes_and_table_agree_for_every_length(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        uint table = ~Crc32C.UpdateSoftware(~0u, data);
        Assert.Equal(table, Crc32C.Compute(data));
        if (X86Sse42.X64.IsSupported || ArmCrc32.Arm64.IsSupported)
        {
            Assert.Equal(table, ~Crc32C.UpdateHardware(~0u, data));
        }
    }

    [Fact]
    public void Append_continues_a_checksum_across_pieces()
    {
        var data = new byte[100_000];
        new Random(5).NextBytes(data);
        uint whole = Crc32C.Compute(data);
        foreach (int cut in new[] { 0, 1, 9, 4096, 30_000, 99_999, 100_000 })
        {
            Assert.Equal(whole, Crc32C.Append(Crc32C.Compute(data.AsSpan(0, cut)), data.AsSpan(cut)));
        }
    }

    [Fact]
    public void A_single_flipped_bit_changes_the_checksum()
    {
        var data = new byte[65536];
        new Random(9).NextBytes(data);
        uint original = Crc32C.Compute(data);
        for (int bit = 0; bit < data.Length * 8; bit += 4099)
        {
            data[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(original, Crc32C.Compute(data));
            data[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }

    [Fact]
    public void Multiplying_by_x_to_the_zero_is_the_identity()
    {
        Assert.Equal(0x12345678u, Crc32C.MultiplyModP(0x12345678u, 1u << 31));
        Assert.Equal(0x12345678u, Crc32C.MultiplyModP(1u << 31, 0x12345678u));
    }
}
