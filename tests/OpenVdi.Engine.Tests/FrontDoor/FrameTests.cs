using System.Text;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.FrontDoor.Internal;
using OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

namespace OpenVdi.Engine.Tests.FrontDoor;

/// <summary>Frames are single lines of JSON; anything else is refused with an error frame, never a hang or a crash.</summary>
public sealed class FrameTests
{
    [Fact]
    public async Task Frames_split_across_reads_and_packed_into_one_read_are_both_found()
    {
        byte[] bytes = [.. FrameEncoder.Execute("BACKUP\nDATABASE"), .. FrameEncoder.Cancel()];
        var reader = new FrameReader(new TrickleStream(bytes, chunk: 3), 1 << 10);

        using var first = await reader.ReadAsync(CancellationToken.None);
        using var second = await reader.ReadAsync(CancellationToken.None);
        var end = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal("execute", first!.Type);
        Assert.Equal("BACKUP\nDATABASE", first.String("statement"));
        Assert.Equal("cancel", second!.Type);
        Assert.Null(end);
    }

    [Fact]
    public async Task A_frame_longer_than_the_limit_is_refused()
    {
        var reader = new FrameReader(new MemoryStream(FrameEncoder.Execute(new string('x', 2000))), 1024);

        var e = await Assert.ThrowsAsync<FrameException>(() => reader.ReadAsync(CancellationToken.None).AsTask());

        Assert.Contains("longer than 1024 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_cut_short_by_the_end_of_the_stream_is_refused()
    {
        var reader = new FrameReader(new MemoryStream(Encoding.UTF8.GetBytes("{\"type\":\"cancel")), 1024);

        await Assert.ThrowsAsync<FrameException>(() => reader.ReadAsync(CancellationToken.None).AsTask());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"kind":"execute"}""")]
    [InlineData("""{"type":7}""")]
    public void A_line_that_is_not_a_typed_object_is_refused(string line) =>
        Assert.Throws<FrameException>(() => Frame.Parse(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void Every_frame_is_one_line()
    {
        byte[] frame = FrameEncoder.Execute("BACKUP DATABASE [a]\r\nTO VIRTUAL_DEVICE = N'é\t\u0001'");

        Assert.Equal((byte)'\n', frame[^1]);
        Assert.DoesNotContain((byte)'\n', frame[..^1]);
        Assert.DoesNotContain((byte)'\r', frame);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("garbage", "not valid JSON")]
    [InlineData("""{"type":"cancel"}""", "Expected an \"execute\", \"status\", \"listDatabases\" or \"dropDatabase\" frame, not \"cancel\"")]
    [InlineData("""{"type":"execute"}""", "no string \"statement\"")]
    [InlineData("""{"type":"execute","statement":"BACKUP","faults":"delay=soon"}""", "The \"faults\" member is not a fault plan: 'soon' is not a time")]
    public async Task A_bad_request_gets_an_error_frame_and_the_connection_closes(string request, string expected)
    {
        var engine = ScriptedEngine.Sending();
        await using var harness = DaemonHarness.Start(engine);
        using var connection = await RawConnection.OpenAsync(harness.SocketPath);
        var hello = await connection.ReadAsync();

        await connection.SendAsync(request);
        var frames = await connection.ReadToEndAsync();

        Assert.Equal(EngineProtocol.Version, hello!.Value.GetProperty("protocol").GetInt32());
        var error = Assert.Single(frames);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Contains(expected, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, engine.Started);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_request_longer_than_the_limit_is_refused_without_reading_it_all()
    {
        var engine = ScriptedEngine.Sending();
        await using var harness = DaemonHarness.Start(engine);
        using var connection = await RawConnection.OpenAsync(harness.SocketPath);
        await connection.ReadAsync();

        var sending = connection.SendBytesAsync(new byte[EngineProtocol.MaxRequestFrameBytes + 10]);
        var error = await connection.ReadAsync();

        Assert.Contains("longer than", error!.Value.GetProperty("message").GetString(), StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await sending.WaitAsync(DaemonHarness.Limit);
            await connection.SendAsync("more");
            await connection.SendAsync("more");
        });
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_that_sends_nothing_is_dropped_after_the_request_timeout()
    {
        var engine = ScriptedEngine.Sending();
        await using var harness = DaemonHarness.Start(engine, options => options with { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        using var connection = await RawConnection.OpenAsync(harness.SocketPath);

        var frames = await connection.ReadToEndAsync();

        Assert.Equal(["hello", "error"], frames.Select(f => f.GetProperty("type").GetString()));
        Assert.Contains("No statement arrived", frames[1].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A stream that returns at most a few bytes per read.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
