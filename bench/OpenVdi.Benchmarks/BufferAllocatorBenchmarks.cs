using BenchmarkDotNet.Attributes;

namespace OpenVdi.Benchmarks;

/// <summary>The server's AllocateBuffer then FreeBuffer of the same buffer, with 16 buffers of 64 KiB declared.</summary>
[MemoryDiagnoser]
public class BufferAllocatorBenchmarks : IDisposable
{
    private const uint BufferSize = 65536;

    private LoopbackSet? _set;
    private ServerVirtualDeviceSet _server = null!;

    [GlobalSetup]
    public void Setup()
    {
        _set = new LoopbackSet(buffers: 16, bufferSize: BufferSize);
        _server = _set.Server;
    }

    [Benchmark]
    public nint AllocateAndFree()
    {
        LoopbackSet.Expect(_server.AllocateBuffer(out nint buffer, BufferSize, 0), "server AllocateBuffer");
        LoopbackSet.Expect(_server.FreeBuffer(buffer, BufferSize), "server FreeBuffer");
        return buffer;
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
}
