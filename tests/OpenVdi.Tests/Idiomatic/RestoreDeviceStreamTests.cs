using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

public class RestoreDeviceStreamTests
{
    private static readonly int[] s_readSizes = [65536, 4096, 512, 30720, 65536, 8192];

    [Fact(Timeout = 30000)]
    public async Task WriteAsync_feeds_reads_of_other_sizes_and_the_end_is_a_short_read_with_EOF()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var data = IdiomaticLoopback.Pattern(1_000_003, seed: 11);
        var script = ServerScript.Restore(loopback, s_readSizes, out var server, data.Length);
        var stream = new RestoreDeviceStream(devices[0]);

        for (int offset = 0; offset < data.Length; offset += 7000)
        {
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(7000, data.Length - offset))).Within();
        }

        await stream.DisposeAsync().AsTask().Within();

        await server.Within();
        Assert.True(stream.HasEnded);
        Assert.True(devices[0].HasEnded);
        Assert.Equal(data, script.ReadBytes());
        Assert.Equal(data.Length, stream.BytesWritten);
        AssertEndedWithOneShortEofRead(script, expectShortBytes: true);
        Assert.Equal(VdiResult.NOERROR, loopback.AgentResult());
    }

    [Fact(Timeout = 30000)]
    public async Task Write_synchronously_with_writes_larger_than_the_reads_gives_the_same_bytes()
    {
        await Task.Yield();
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var data = IdiomaticLoopback.Pattern(500_000, seed: 12);
        var script = ServerScript.Restore(loopback, s_readSizes, out var server, data.Length);
        using (var stream = new RestoreDeviceStream(devices[0]))
        {
            for (int offset = 0; offset < data.Length; offset += 150_000)
            {
                stream.Write(data, offset, Math.Min(150_000, data.Length - offset));
            }

            stream.Complete();
            Assert.True(stream.HasEnded);
            Assert.True(stream.IsCompleted);
            Assert.False(stream.CanWrite);
            Assert.Throws<InvalidOperationException>(() => stream.WriteByte(1));
        }

        await server.Within();
        Assert.Equal(data, script.ReadBytes());
        AssertEndedWithOneShortEofRead(script, expectShortBytes: true);
    }

    [Fact(Timeout = 30000)]
    public async Task Data_that_ends_on_a_read_boundary_ends_with_an_empty_EOF_read()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var data = IdiomaticLoopback.Pattern(65536 * 3, seed: 13);
        var script = ServerScript.Restore(loopback, [65536], out var server, data.Length);
        var stream = new RestoreDeviceStream(devices[0]);

        await stream.WriteAsync(data).Within();
        await stream.CompleteAsync().Within();

        await server.Within();
        Assert.Equal(data, script.ReadBytes());
        AssertEndedWithOneShortEofRead(script, expectShortBytes: false);
        await stream.DisposeAsync();
    }

    [Fact(Timeout = 30000)]
    public async Task CopyFromAsync_reads_the_source_straight_into_the_servers_buffers()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var data = IdiomaticLoopback.Pattern(777_777, seed: 14);
        var script = ServerScript.Restore(loopback, s_readSizes, out var server, data.Length);
        await using var stream = new RestoreDeviceStream(devices[0]);

        using var source = new MemoryStream(data);
        Assert.Equal(data.Length, await stream.CopyFromAsync(source).Within());
        await stream.CompleteAsync().Within();

        await server.Within();
        Assert.Equal(data, script.ReadBytes());
        AssertEndedWithOneShortEofRead(script, expectShortBytes: true);
    }

    [Fact(Timeout = 30000)]
    public async Task CopyFrom_synchronously_gives_the_same_bytes()
    {
        await Task.Yield();
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var data = IdiomaticLoopback.Pattern(123_456, seed: 15);
        var script = ServerScript.Restore(loopback, s_readSizes, out var server, data.Length);
        using (var stream = new RestoreDeviceStream(devices[0]))
        {
            using var source = new MemoryStream(data);
            Assert.Equal(data.Length, stream.CopyFrom(source));
        }

        await server.Within();
        Assert.Equal(data, script.ReadBytes());
    }

    [Fact(Timeout = 30000)]
    public async Task Writing_past_a_device_the_server_closed_early_throws_VD_E_CLOSE()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var script = new ServerScript(loopback);
        await using var stream = new RestoreDeviceStream(devices[0]);
        var writer = stream.WriteAsync(new byte[10_000]);

        // The server reads 4096 bytes (a header), then closes the device, as RESTORE HEADERONLY does.
        var read = script.SendRead(4096);
        script.WaitIdle();
        script.CloseDevice();

        var e = await Assert.ThrowsAsync<VdiException>(() => writer.AsTask().Within());
        Assert.True(e.IsClosed);
        Assert.True(stream.HasEnded);
        Assert.Equal(Win32Error.ERROR_SUCCESS, read.CompletionCode);
        Assert.Equal(4096u, read.BytesTransferred);
    }

    [Fact(Timeout = 30000)]
    public async Task Failing_the_device_reaches_the_server_with_the_code()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var script = ServerScript.Restore(loopback, [65536], out var server, 65536 + 100);
        var stream = new RestoreDeviceStream(devices[0]);

        await stream.WriteAsync(new byte[65536 + 100]).Within();
        Assert.True(await stream.FailAsync(Win32Error.ERROR_WRITE_FAULT).Within());
        await stream.DisposeAsync().AsTask().Within();

        await server.Within();
        Assert.Equal(Win32Error.ERROR_SUCCESS, script.Sent[0].CompletionCode);
        Assert.Equal(Win32Error.ERROR_WRITE_FAULT, script.Sent[1].CompletionCode);
        Assert.Equal(0u, script.Sent[1].BytesTransferred);
    }

    [Fact(Timeout = 30000)]
    public async Task A_source_that_fails_fails_the_read_with_ERROR_READ_FAULT_and_the_copy_throws_at_the_end()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var script = ServerScript.Restore(loopback, [65536], out var server, 10 * 65536);
        await using var stream = new RestoreDeviceStream(devices[0]);
        var failure = new IOException("Input/output error", 5);
        await using var source = new FailingSource(new byte[2 * 65536], failure);

        var thrown = await Assert.ThrowsAsync<IOException>(() => stream.CopyFromAsync(source).Within());

        await server.Within();
        Assert.Same(failure, thrown);
        Assert.All(script.Sent.Take(2), c => Assert.Equal((Win32Error.ERROR_SUCCESS, 65536u), (c.CompletionCode, c.BytesTransferred)));
        Assert.Equal((Win32Error.ERROR_READ_FAULT, 0u), (script.Sent[2].CompletionCode, script.Sent[2].BytesTransferred));
        Assert.True(stream.HasEnded, "The copy did not answer the device until its end.");
    }

    [Fact(Timeout = 30000)]
    public async Task A_cancelled_write_leaves_the_stream_usable()
    {
        using var loopback = new Loopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: VdFeatures.VDF_ReadMedia);
        var stream = new RestoreDeviceStream(devices[0]);
        using var cts = new CancellationTokenSource();
        var data = IdiomaticLoopback.Pattern(512, seed: 16);

        var pending = stream.WriteAsync(data, cts.Token);
        Assert.False(pending.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().Within(5000));

        var script = ServerScript.Restore(loopback, [512], out var server, data.Length);
        await stream.WriteAsync(data).Within();
        await stream.DisposeAsync().AsTask().Within();
        await server.Within();
        Assert.Equal(data, script.ReadBytes());
    }

    /// <summary>Every read but the last was full and successful; the last, the one that met the end, got EOF.</summary>
    private static void AssertEndedWithOneShortEofRead(ServerScript script, bool expectShortBytes)
    {
        var sent = script.Sent;
        int eof = sent.ToList().FindIndex(c => c.CompletionCode == Win32Error.ERROR_HANDLE_EOF);
        Assert.True(eof >= 0, "No read completed with ERROR_HANDLE_EOF.");
        Assert.All(sent.Take(eof), c => Assert.Equal((Win32Error.ERROR_SUCCESS, c.Size), (c.CompletionCode, c.BytesTransferred)));
        Assert.Equal(expectShortBytes, sent[eof].BytesTransferred > 0);
        Assert.True(sent[eof].BytesTransferred < sent[eof].Size);
        Assert.Equal(sent.Count - 1, eof);
    }

    /// <summary>A memory stream of <c>data</c> whose read after the end throws <see cref="IOException"/> instead of returning 0.</summary>
    private sealed class FailingSource(byte[] data, IOException failure) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position == Length ? ValueTask.FromException<int>(failure) : base.ReadAsync(buffer, cancellationToken);
    }
}
