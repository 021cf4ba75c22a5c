using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

public class BackupDeviceStreamTests
{
    private static readonly int[] s_writeSizes = [65536, 512, 4096, 30720, 1024, 65536, 8192, 512, 61440];

    private static Loopback BackupLoopback() => new(clientFeatures: VdFeatures.VDF_RequestComplete);

    private const VdFeatures BackupServerFeatures = VdFeatures.VDF_WriteMedia | VdFeatures.VDF_CompleteEnabled;

    [Fact(Timeout = 30000)]
    public async Task ReadAsync_returns_the_written_bytes_identically_across_many_writes_then_0_at_the_end()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var data = IdiomaticLoopback.Pattern(1_500_000);
        var script = ServerScript.Backup(loopback, data, s_writeSizes, out var server, flushEvery: 7);
        await using var stream = new BackupDeviceStream(devices[0]);

        using var received = new MemoryStream();
        var buffer = new byte[3001];
        int read;
        while ((read = await stream.ReadAsync(buffer).Within()) > 0)
        {
            received.Write(buffer, 0, read);
        }

        await server.Within();
        Assert.Equal(data, received.ToArray());
        Assert.Equal(data.Length, stream.BytesRead);
        Assert.True(stream.HasEnded);
        Assert.Equal(0, await stream.ReadAsync(buffer));
        AssertAllAnsweredSuccessfully(script, data.Length, expectFlushes: data.Length / 7 / 65536);
        Assert.Equal(VdCommandCode.VDC_Complete, script.Sent[^1].CommandCode);
        Assert.Equal(VdiResult.NOERROR, loopback.AgentResult());
    }

    [Fact(Timeout = 30000)]
    public async Task Read_synchronously_returns_the_same_bytes_with_reads_larger_than_the_writes()
    {
        await Task.Yield();
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var data = IdiomaticLoopback.Pattern(700_001, seed: 2);
        var script = ServerScript.Backup(loopback, data, s_writeSizes, out var server, flushEvery: 3);
        using var stream = new BackupDeviceStream(devices[0]);

        using var received = new MemoryStream();
        var buffer = new byte[100_000];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            Assert.True(read <= 65536, "A read returns bytes of one command at most.");
            received.Write(buffer, 0, read);
        }

        await server.Within();
        Assert.Equal(data, received.ToArray());
        Assert.Equal(-1, stream.ReadByte());
        AssertAllAnsweredSuccessfully(script, data.Length, expectFlushes: 1);
    }

    [Fact(Timeout = 30000)]
    public async Task CopyToAsync_hands_the_shared_buffers_to_the_destination_and_finishes_at_the_end()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var data = IdiomaticLoopback.Pattern(1_000_000, seed: 3);
        var script = ServerScript.Backup(loopback, data, s_writeSizes, out var server);
        await using var stream = new BackupDeviceStream(devices[0]);

        var destination = new RecordingStream();
        await stream.CopyToAsync(destination).Within();

        await server.Within();
        Assert.Equal(data, destination.ToArray());
        Assert.Equal(script.Sent.Count(c => c.CommandCode == VdCommandCode.VDC_Write), destination.Writes);
        AssertAllAnsweredSuccessfully(script, data.Length, expectFlushes: 1);
    }

    [Fact(Timeout = 30000)]
    public async Task CopyTo_synchronously_gives_the_same_bytes()
    {
        await Task.Yield();
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var data = IdiomaticLoopback.Pattern(300_000, seed: 4);
        var script = ServerScript.Backup(loopback, data, s_writeSizes, out var server);
        using var stream = new BackupDeviceStream(devices[0]);

        using var destination = new MemoryStream();
        stream.CopyTo(destination);

        await server.Within();
        Assert.Equal(data, destination.ToArray());
        AssertAllAnsweredSuccessfully(script, data.Length, expectFlushes: 1);
    }

    [Fact(Timeout = 30000)]
    public async Task A_disk_full_failure_reaches_the_server_as_completion_code_112()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var data = IdiomaticLoopback.Pattern(1_000_000, seed: 5);
        // One write in flight: the failure is met on the command the reader holds.
        var script = ServerScript.Backup(loopback, data, [65536], out var server, buffers: 1);
        await using var stream = new BackupDeviceStream(devices[0]);

        // The reader takes the first write's bytes, then cannot store them.
        var buffer = new byte[65536];
        int read = 0;
        while (read < buffer.Length)
        {
            read += await stream.ReadAsync(buffer.AsMemory(read)).Within();
        }

        Assert.True(await stream.FailAsync(Win32Error.ERROR_DISK_FULL).Within());

        // The server stops and closes the device; the stream then ends.
        Assert.Equal(0, await stream.ReadAsync(buffer).Within());
        await server.Within();
        var first = script.Sent[0];
        Assert.Equal(VdCommandCode.VDC_Write, first.CommandCode);
        Assert.Equal(Win32Error.ERROR_DISK_FULL, first.CompletionCode);
        Assert.DoesNotContain(script.Sent, c => c.CompletionCode == Win32Error.ERROR_SUCCESS);
        Assert.Equal(VdiResult.NOERROR, loopback.AgentResult());
    }

    [Fact(Timeout = 30000)]
    public async Task CopyToAsync_completes_a_VDC_Flush_only_once_the_destination_has_flushed()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var data = IdiomaticLoopback.Pattern(200_000, seed: 6);
        var script = ServerScript.Backup(loopback, data, s_writeSizes, out var server);
        await using var stream = new BackupDeviceStream(devices[0]);
        var destination = new GatedFlushStream();

        var copy = stream.CopyToAsync(destination);
        await destination.FlushStarted.Within();
        var flush = script.FirstSent(VdCommandCode.VDC_Flush);
        Assert.NotNull(flush);
        Assert.False(script.HasCompleted(flush), "The VDC_Flush completed while the destination's flush had not returned.");
        destination.Release();
        await copy.Within();

        await server.Within();
        Assert.Equal(data, destination.ToArray());
        Assert.Equal(2, destination.Flushes); // the VDC_Flush and the VDC_Complete
        AssertAllAnsweredSuccessfully(script, data.Length, expectFlushes: 1);
    }

    [Fact(Timeout = 30000)]
    public async Task CopyToAsync_into_a_file_gives_the_file_the_bytes_and_every_command_success()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var data = IdiomaticLoopback.Pattern(300_000, seed: 7);
        var script = ServerScript.Backup(loopback, data, s_writeSizes, out var server, flushEvery: 3);
        await using var stream = new BackupDeviceStream(devices[0]);
        string path = Path.Combine(Path.GetTempPath(), $"openvdi-copy-{Guid.NewGuid():N}");
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: false))
            {
                await stream.CopyToAsync(file).Within();
            }

            await server.Within();
            Assert.Equal(data, await File.ReadAllBytesAsync(path));
            AssertAllAnsweredSuccessfully(script, data.Length, expectFlushes: 3);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory(Timeout = 30000)]
    [InlineData(28, Win32Error.ERROR_DISK_FULL)] // ENOSPC
    [InlineData(122, Win32Error.ERROR_DISK_FULL)] // EDQUOT
    [InlineData(5, Win32Error.ERROR_WRITE_FAULT)] // EIO
    public async Task A_destination_that_fails_fails_its_write_with_the_Win32_code_and_the_copy_throws_at_the_end(int errno, uint expected)
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var data = IdiomaticLoopback.Pattern(1_000_000, seed: 8);
        var script = ServerScript.Backup(loopback, data, [65536], out var server);
        await using var stream = new BackupDeviceStream(devices[0]);
        var destination = new FailingStream(failAtWrite: 3, new IOException("No space left on device", errno));

        var thrown = await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(destination).Within());

        await server.Within();
        Assert.Same(destination.Failure, thrown);
        var writes = script.Sent.Where(c => c.CommandCode == VdCommandCode.VDC_Write).ToArray();
        Assert.All(writes.Take(2), c => Assert.Equal(Win32Error.ERROR_SUCCESS, c.CompletionCode));
        Assert.Equal((expected, 0u), (writes[2].CompletionCode, writes[2].BytesTransferred));
        Assert.All(script.Sent.Skip(3), c => Assert.NotEqual(Win32Error.ERROR_SUCCESS, c.CompletionCode));
        Assert.True(stream.HasEnded, "The copy did not answer the device until its end.");
    }

    [Fact(Timeout = 30000)]
    public async Task Unsupported_commands_get_50_ClearError_gets_success_and_data_flows_again()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var script = new ServerScript(loopback);
        await using var stream = new BackupDeviceStream(devices[0]);
        var data = IdiomaticLoopback.Pattern(4096, seed: 6);
        var reader = Task.Run(async () =>
        {
            using var received = new MemoryStream();
            await stream.CopyToAsync(received);
            return received.ToArray();
        });

        var rewind = script.Send(VdCommandCode.VDC_Rewind);
        script.WaitIdle();
        var clear = script.Send(VdCommandCode.VDC_ClearError);
        script.WaitIdle();
        nint buffer = loopback.Allocate();
        data.CopyTo(loopback.Server.GetBufferSpan(buffer, data.Length));
        var write = loopback.Send(0, VdCommandCode.VDC_Write, (uint)data.Length, buffer);
        script.Send(VdCommandCode.VDC_Flush);
        script.WaitIdle();
        script.CloseDevice();

        Assert.Equal(data, await reader.Within());
        Assert.Equal(Win32Error.ERROR_NOT_SUPPORTED, rewind.CompletionCode);
        Assert.Equal(Win32Error.ERROR_SUCCESS, clear.CompletionCode);
        Assert.Equal(Win32Error.ERROR_SUCCESS, write.CompletionCode);
        Assert.Equal((uint)data.Length, write.BytesTransferred);
    }

    [Fact(Timeout = 30000)]
    public async Task A_cancelled_read_leaves_the_stream_usable()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        await using var stream = new BackupDeviceStream(devices[0]);
        using var cts = new CancellationTokenSource();

        var pending = stream.ReadAsync(new byte[10], cts.Token);
        Assert.False(pending.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.Within(5000));

        var data = IdiomaticLoopback.Pattern(512, seed: 8);
        nint buffer = loopback.Allocate();
        data.CopyTo(loopback.Server.GetBufferSpan(buffer, data.Length));
        loopback.Send(0, VdCommandCode.VDC_Write, 512, buffer);
        var received = new byte[512];
        Assert.Equal(512, await stream.ReadAsync(received).Within());
        Assert.Equal(data, received);
    }

    [Fact(Timeout = 30000)]
    public async Task An_abort_surfaces_from_a_waiting_read_as_VD_E_ABORT()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        await using var stream = new BackupDeviceStream(devices[0]);

        var pending = stream.ReadAsync(new byte[10]);
        Assert.False(pending.IsCompleted);
        Loopback.Expect(loopback.Server.SignalAbort());

        Assert.True((await Assert.ThrowsAsync<VdiException>(() => pending.Within())).IsAbort);
    }

    [Fact(Timeout = 30000)]
    public async Task Disposing_part_way_through_a_write_fails_it_with_995()
    {
        using var loopback = BackupLoopback();
        using var set = loopback.ActiveIdiomatic(out var devices, serverFeatures: BackupServerFeatures);
        var completed = new List<VdsCommand>();
        loopback.Send(0, VdCommandCode.VDC_Write, 4096, loopback.Allocate(), completed);
        var stream = new BackupDeviceStream(devices[0]);
        Assert.Equal(100, await stream.ReadAsync(new byte[100]).Within());

        await stream.DisposeAsync();

        Loopback.WaitForCompletions(completed, 1);
        Assert.Equal(Win32Error.ERROR_OPERATION_ABORTED, completed[0].CompletionCode);
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
        Assert.False(stream.CanRead);
    }

    /// <summary>Every write completed with success and all its bytes; flushes and VDC_Complete with success.</summary>
    private static void AssertAllAnsweredSuccessfully(ServerScript script, int dataLength, int expectFlushes)
    {
        Assert.All(script.Sent, c => Assert.Equal(Win32Error.ERROR_SUCCESS, c.CompletionCode));
        var writes = script.Sent.Where(c => c.CommandCode == VdCommandCode.VDC_Write).ToArray();
        Assert.All(writes, c => Assert.Equal(c.Size, c.BytesTransferred));
        Assert.Equal(dataLength, writes.Sum(c => (long)c.Size));
        Assert.True(script.Sent.Count(c => c.CommandCode == VdCommandCode.VDC_Flush) >= expectFlushes);
    }

    /// <summary>A memory stream that counts the writes it receives.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>A memory stream whose first flush signals <see cref="FlushStarted"/> and returns only after <see cref="Release"/>.</summary>
    private sealed class GatedFlushStream : MemoryStream
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FlushStarted => _started.Task;

        public int Flushes { get; private set; }

        public void Release() => _gate.TrySetResult();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            _started.TrySetResult();
            await _gate.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A memory stream whose write number <c>failAtWrite</c> (1-based) and every later one throw <see cref="Failure"/>.</summary>
    private sealed class FailingStream(int failAtWrite, IOException failure) : MemoryStream
    {
        private int _writes;

        public IOException Failure { get; } = failure;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ++_writes >= failAtWrite ? ValueTask.FromException(Failure) : base.WriteAsync(buffer, cancellationToken);
    }
}
