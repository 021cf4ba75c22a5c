using BenchmarkDotNet.Attributes;

namespace OpenVdi.Benchmarks;

/// <summary>
/// The command path: the server sends, the client fetches (GetCommand) and completes (CompleteCommand), and the
/// completion agent, on its own thread, runs the routine. Commands and buffers are made once, so the path itself
/// is all that is measured, and its allocations should be zero.
/// </summary>
[MemoryDiagnoser]
public class CommandRoundTripBenchmarks : IDisposable
{
    private const int BatchSize = 64;

    private LoopbackSet? _set;
    private IServerVirtualDevice _server = null!;
    private IClientVirtualDevice _client = null!;
    private VdsCommand[] _batch = [];
    private VdsCommand[] _single = [];
    private int _completed;

    /// <summary>VDC_Flush carries no buffer; VDC_Write adds the buffer bookkeeping (each command has its own 64 KiB buffer).</summary>
    [Params(VdCommandCode.VDC_Flush, VdCommandCode.VDC_Write)]
    public VdCommandCode Code { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _set = new LoopbackSet(buffers: BatchSize);
        _server = _set.ServerDevice;
        _client = _set.ClientDevice;

        // One delegate for every command, made here: a method group converted in the benchmark body would allocate.
        Action<VdsCommand> routine = OnCompleted;
        bool write = Code == VdCommandCode.VDC_Write;
        _batch = new VdsCommand[BatchSize];
        for (int i = 0; i < BatchSize; i++)
        {
            _batch[i] = new VdsCommand
            {
                CommandCode = Code,
                Size = write ? 65536u : 0,
                Buffer = write ? _set.Allocate() : 0,
                CompletionRoutine = routine,
            };
        }

        // The single round trip reuses the first command: it is free again once its routine ran.
        _single = [_batch[0]];
    }

    /// <summary>A batch of 64 sent, then fetched and completed: the figure is per command.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public void Batch() => RoundTrip(_batch);

    /// <summary>One command at a time: the full round trip, including waking the agent thread for each completion.</summary>
    [Benchmark]
    public void One() => RoundTrip(_single);

    private void RoundTrip(VdsCommand[] commands)
    {
        // Only the agent writes the count, and only for these commands: every earlier one has run its routine.
        int target = Volatile.Read(ref _completed) + commands.Length;
        foreach (var command in commands)
        {
            LoopbackSet.Expect(_server.SendCommand(command), "server SendCommand");
        }

        for (int i = 0; i < commands.Length; i++)
        {
            // Polling (timeout 0) is enough: every command is queued before the first fetch.
            LoopbackSet.Expect(_client.GetCommand(0, out var fetched), "client GetCommand");
            LoopbackSet.Expect(_client.CompleteCommand(fetched!, 0, fetched!.Size, 0), "client CompleteCommand");
        }

        // Spin, never sleep: a sleep would measure the scheduler's timer, not the wake of this thread.
        var spin = default(SpinWait);
        while (Volatile.Read(ref _completed) != target)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void OnCompleted(VdsCommand command) => Interlocked.Increment(ref _completed);

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
}
