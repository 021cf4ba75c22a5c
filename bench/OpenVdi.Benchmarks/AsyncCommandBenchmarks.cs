using BenchmarkDotNet.Attributes;

namespace OpenVdi.Benchmarks;

/// <summary>
/// The asynchronous command path of the .NET layer: <see cref="VirtualDevice.GetCommandAsync"/>, then
/// <see cref="DeviceCommand.Complete"/>, then the completion agent's routine. <see cref="ArmedWait"/> arms the wait
/// before the server sends, so the command arrives through the client's doorbell waiter and completes a pooled value
/// task source; <see cref="Queued"/> finds each command already there (the synchronous fast path). The benchmark body
/// spins on the value task instead of awaiting it, so that the figures hold the path's allocations and nothing of an
/// async method's own: the goal is none per command.
/// </summary>
[MemoryDiagnoser]
public class AsyncCommandBenchmarks : IDisposable
{
    private const int BatchSize = 64;

    private LoopbackSet? _set;
    private IServerVirtualDevice _server = null!;
    private VirtualDevice _device = null!;
    private VdsCommand[] _batch = [];
    private int _completed;

    [GlobalSetup]
    public void Setup()
    {
        _set = new LoopbackSet(buffers: 1, idiomatic: true);
        _server = _set.ServerDevice;
        _device = _set.IdiomaticDevice!;
        Action<VdsCommand> routine = OnCompleted;
        _batch = [.. Enumerable.Range(0, BatchSize).Select(_ => new VdsCommand { CommandCode = VdCommandCode.VDC_Flush, CompletionRoutine = routine })];
    }

    /// <summary>One command at a time, the wait armed before the send: the doorbell's whole path, per command.</summary>
    [Benchmark]
    public void ArmedWait()
    {
        int target = Volatile.Read(ref _completed) + 1;
        var pending = _device.GetCommandAsync();
        LoopbackSet.Expect(_server.SendCommand(_batch[0]), "server SendCommand");
        Take(pending);
        AwaitRoutines(target);
    }

    /// <summary>64 commands queued first, then each taken by GetCommandAsync's synchronous fast path: the figure is per command.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void Queued()
    {
        int target = Volatile.Read(ref _completed) + BatchSize;
        foreach (var command in _batch)
        {
            LoopbackSet.Expect(_server.SendCommand(command), "server SendCommand");
        }

        for (int i = 0; i < BatchSize; i++)
        {
            Take(_device.GetCommandAsync());
        }

        AwaitRoutines(target);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _set?.Dispose();
        _set = null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }

    private static void Take(ValueTask<DeviceCommand?> pending)
    {
        var spin = default(SpinWait);
        while (!pending.IsCompleted)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        var command = pending.Result ?? throw new InvalidOperationException("The device ended.");
        command.Complete();
    }

    private void AwaitRoutines(int target)
    {
        // Spin, never sleep: a sleep would measure the scheduler's timer.
        var spin = default(SpinWait);
        while (Volatile.Read(ref _completed) != target)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void OnCompleted(VdsCommand command) => Interlocked.Increment(ref _completed);
}
