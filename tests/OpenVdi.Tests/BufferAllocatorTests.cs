using OpenVdi.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// The server's buffer allocator: a buffer carried by a command cannot be freed, whatever RequestBuffers does at the
/// same time (issue 10: the in-flight flags lived in arrays that RequestBuffers resized while transfers marked them).
/// </summary>
public class BufferAllocatorTests
{
    [Fact(Timeout = 120000)]
    public async Task A_buffer_in_flight_stays_in_flight_while_RequestBuffers_adds_segments()
    {
        await Task.Yield();
        int doubled = 0;
        for (int round = 0; round < 3 && doubled == 0; round++)
        {
            using var loop = new Loopback().Active(buffers: 2, maxTransferSize: 65536);
            var allocator = loop.Server.Allocator!;
            nint buffer = loop.Allocate(65536);
            using var stop = new CancellationTokenSource();
            int holders = 0;

            // Two threads mark the same buffer in flight, hold it a moment and let it go; only one can hold it at a
            // time. Meanwhile segments of many small buffers are added, so the in-flight records grow under them.
            int Mark()
            {
                int seen = 0;
                while (!stop.IsCancellationRequested)
                {
                    int index = allocator.BeginTransfer(buffer, 65536, device: 0, sequence: 0);
                    if (index < 0)
                    {
                        continue;
                    }

                    seen += Interlocked.Increment(ref holders) > 1 ? 1 : 0;
                    Thread.SpinWait(20);
                    Interlocked.Decrement(ref holders);
                    allocator.EndTransfer(index);
                }

                return seen;
            }

            var first = Waits.OnOwnThread(Mark);
            var second = Waits.OnOwnThread(Mark);
            for (int k = 1; k < 16; k++)
            {
                Assert.Equal(NOERROR, loop.Server.RequestBuffers(512, 0, 4000));
            }

            await stop.CancelAsync();
            doubled += await first.Within("the first thread marking a buffer in flight");
            doubled += await second.Within("the second thread marking a buffer in flight");
            Assert.Equal(NOERROR, loop.ServerDevices[0]!.CloseDevice());
        }

        Assert.True(doubled == 0, $"A buffer in flight was taken in flight a second time {doubled} times while segments were added.");
    }
}
