using BenchmarkDotNet.Attributes;

namespace OpenVdi.Benchmarks;

/// <summary>
/// GetBufferHandle then MapBufferHandle on the buffer of a delivered VDC_Write, as a client process handing the
/// buffer to a helper would. The command stays outstanding for the whole run (a handle lives until its command
/// completes) and is completed in cleanup.
/// </summary>
[MemoryDiagnoser]
public class BufferHandleBenchmarks : IDisposable
{
    private LoopbackSet? _set;
    private ClientVirtualDeviceSet _client = null!;
    private VdcCommand? _outstanding;
    private nint _address;
    private int _completed;

    [GlobalSetup]
    public void Setup()
    {
        _set = new LoopbackSet(buffers: 1);
        _client = _set.Client;
        var write = new VdsCommand
        {
            CommandCode = VdCommandCode.VDC_Write,
            Size = 65536,
            Buffer = _set.Allocate(),
            CompletionRoutine = _ => Volatile.Write(ref _completed, 1),
        };
        LoopbackSet.Expect(_set.ServerDevice.SendCommand(write), "server SendCommand");
        LoopbackSet.Expect(_set.ClientDevice.GetCommand(10000, out _outstanding), "client GetCommand");
        _address = _outstanding!.Buffer;
    }

    [Benchmark]
    public nint HandleAndMap()
    {
        LoopbackSet.Expect(_client.GetBufferHandle(_address, out uint handle), "client GetBufferHandle");
        LoopbackSet.Expect(_client.MapBufferHandle(handle, out nint mapped), "client MapBufferHandle");
        return mapped;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_set is null)
        {
            return;
        }

        try
        {
            if (_outstanding is not null)
            {
                LoopbackSet.Expect(_set.ClientDevice.CompleteCommand(_outstanding, 0, _outstanding.Size, 0), "client CompleteCommand");
                _outstanding = null;

                // The set ends normally only once the agent has retired the command.
                var spin = default(SpinWait);
                while (Volatile.Read(ref _completed) == 0)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }
            }
        }
        finally
        {
            _set.Dispose();
            _set = null;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }
}
