using System.Buffers.Binary;
using OpenVdi.Engine.Tds;

namespace OpenVdi.Engine.Tests.Tds;

/// <summary>TDS packets as the engine cuts and reads them.</summary>
public sealed class PacketTests
{
    [Fact]
    public async Task A_message_that_fills_its_packets_exactly_ends_with_a_packet_that_carries_tokens()
    {
        // SqlClient reads on, forever, past an end-of-message packet with no data in it.
        var wire = new MemoryStream();
        var writer = new TdsPacketWriter(wire, spid: 51, packetSize: 512);

        await writer.WriteAsync(new byte[(512 - 8) * 2], CancellationToken.None);
        await writer.EndMessageAsync(CancellationToken.None);

        var packets = Packets(wire.ToArray());
        Assert.Equal([(TdsPacketStatus.Normal, 512), (TdsPacketStatus.EndOfMessage, 512)], packets);
    }

    [Fact]
    public async Task A_flush_sends_what_waits_and_the_reader_joins_the_packets_into_one_message()
    {
        var wire = new MemoryStream();
        var writer = new TdsPacketWriter(wire, spid: 51, packetSize: 512);

        await writer.WriteAsync(new byte[] { 1, 2, 3 }, CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);
        await writer.WriteAsync(new byte[] { 4, 5 }, CancellationToken.None);
        await writer.EndMessageAsync(CancellationToken.None);
        wire.Position = 0;
        var message = await new TdsPacketReader(wire).ReadMessageAsync(1024, CancellationToken.None);

        Assert.Equal([(TdsPacketStatus.Normal, 11), (TdsPacketStatus.EndOfMessage, 10)], Packets(wire.ToArray()));
        Assert.Equal([1, 2, 3, 4, 5], message!.Payload);
        Assert.Equal(TdsPacketType.TabularResult, message.Type);
    }

    [Theory]
    [InlineData(new byte[] { 0x12, 0x01, 0x00, 0x03, 0, 0, 0, 0 }, "the length 3")]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x2E, 0, 0, 0 }, "TDS 8.0")]
    [InlineData(new byte[] { 0x12, 0x00, 0x00, 0x0A, 0, 0, 0, 0, 1, 2, 0x10, 0x01, 0x00, 0x09, 0, 0, 0, 0, 3 }, "type 16 came inside a message of type 18")]
    [InlineData(new byte[] { 0x12, 0x01, 0x00, 0x10, 0, 0, 0, 0, 1 }, "ended inside a packet")]
    public async Task A_malformed_packet_is_refused_with_what_is_wrong(byte[] bytes, string expected)
    {
        var refused = await Assert.ThrowsAsync<TdsProtocolException>(() =>
            new TdsPacketReader(new MemoryStream(bytes)).ReadMessageAsync(1024, CancellationToken.None, TdsPacketType.PreLogin));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_longer_than_its_limit_is_refused_before_it_is_all_read()
    {
        var wire = new MemoryStream();
        for (int i = 0; i < 10; i++)
        {
            var packet = new byte[1000];
            packet[0] = 0x12;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 1000);
            wire.Write(packet);
        }

        wire.Position = 0;
        var refused = await Assert.ThrowsAsync<TdsProtocolException>(() => new TdsPacketReader(wire).ReadMessageAsync(4096, CancellationToken.None));

        Assert.Contains("longer than the 4096 bytes", refused.Message, StringComparison.Ordinal);
        Assert.True(wire.Position < wire.Length);
    }

    private static List<(TdsPacketStatus Status, int Length)> Packets(byte[] wire)
    {
        var packets = new List<(TdsPacketStatus, int)>();
        for (int at = 0; at < wire.Length;)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(at + 2));
            packets.Add(((TdsPacketStatus)wire[at + 1], length));
            at += length;
        }

        return packets;
    }
}
