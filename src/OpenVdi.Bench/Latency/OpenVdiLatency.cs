using System.Diagnostics;
using OpenVdi.Bench.Throughput;

namespace OpenVdi.Bench.Latency;

/// <summary>
/// Command latency over OpenVdi: the server process sends VDC_Flush commands (no data: the command alone) on one
/// device and, from each completion routine on the agent thread, sends the next, keeping
/// <see cref="LatencyCase.InFlight"/> outstanding; the client process waits in GetCommand(INFINITE), spinning a moment
/// first (one device's thread and the server's agent fit on two processors: SpinPlaces), then asleep in the kernel,
/// and completes each at once. The server times the whole run.
/// </summary>
internal sealed class OpenVdiLatency : ILatencyTransport
{
    public static OpenVdiLatency Instance { get; } = new();

    /// <summary>The client's side: creates the set, starts the server, answers every command until VD_E_CLOSE.</summary>
    public void Answer(string endpoint, IProducerLink pinger, CancellationToken abort)
    {
        string set = endpoint;
        using var vds = new ClientVirtualDeviceSet();
        var config = new VdConfig { DeviceCount = 1 };
        OpenVdiThroughput.Check(vds.CreateEx(null, set, config), "CreateEx");
        using var registration = abort.Register(() => vds.SignalAbort());
        pinger.Start();
        OpenVdiThroughput.Check(vds.GetConfiguration(VdiTimeout.Infinite, out _), "GetConfiguration");
        OpenVdiThroughput.Check(vds.OpenDevice(set, out var device), "OpenDevice");
        VdiResult result;
        while ((result = device!.GetCommand(VdiTimeout.Infinite, out var command)) == VdiResult.NOERROR)
        {
            OpenVdiThroughput.Check(device.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0), "CompleteCommand");
        }

        var close = vds.Close();
        if (result != VdiResult.VD_E_CLOSE)
        {
            throw new VdiException(result, $"GetCommand answered {result}.");
        }

        OpenVdiThroughput.Check(close, "Close");
    }

    /// <summary>The server's side: the timed run.</summary>
    public TimeSpan Ping(LatencyCase run, string endpoint, Action connected)
    {
        string set = endpoint;
        using var server = new ServerVirtualDeviceSet();
        var deadline = Stopwatch.StartNew();
        VdiResult open;
        while ((open = server.Open(null, set)) == VdiResult.VD_E_INVALID && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            // The client creates the set just before it starts us; a peer that raced ahead polls for it.
            Thread.Sleep(1);
        }

        OpenVdiThroughput.Check(open, "Open");
        OpenVdiThroughput.Check(server.GetConfiguration(out var requested), "GetConfiguration");
        OpenVdiThroughput.Check(server.BeginConfiguration(requested.Features | VdFeatures.VDF_WriteMedia, 65536, 0, 65536, 0), "BeginConfiguration");
        OpenVdiThroughput.Check(server.RequestBuffers(65536, 0, 1), "RequestBuffers");
        OpenVdiThroughput.Check(server.EndConfiguration(), "EndConfiguration");
        OpenVdiThroughput.Check(server.OpenDevice(set, out var device), "OpenDevice");
        connected();

        int sent = 0;
        int completed = 0;
        long stopped = 0;
        string? failure = null;
        using var done = new ManualResetEventSlim();
        void OnCompleted(VdsCommand command)
        {
            if (command.CompletionCode != Win32Error.ERROR_SUCCESS)
            {
                failure ??= $"A command completed with {command.CompletionCode} ({server.AbortReasonText ?? "no abort"}) after {completed} of {run.Count}.";
            }

            if (++completed == run.Count)
            {
                stopped = Stopwatch.GetTimestamp();
                device!.CloseDevice();
                done.Set();
            }
            else if (sent < run.Count && failure is null)
            {
                // The next command goes out from the routine itself: no hand-off to another thread in the loop.
                sent++;
                if (device!.SendCommand(command) != VdiResult.NOERROR)
                {
                    failure ??= "SendCommand from the completion routine failed.";
                }
            }
        }

        // Only this thread sends until the agent starts: the first window goes out before the routines take over.
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < run.InFlight && sent < run.Count; i++)
        {
            sent++;
            var command = new VdsCommand { CommandCode = VdCommandCode.VDC_Flush, CompletionRoutine = OnCompleted };
            OpenVdiThroughput.Check(device!.SendCommand(command), "SendCommand");
        }

        var agent = server.ExecuteCompletionAgent();
        done.Wait(TimeSpan.FromSeconds(1));
        if (failure is not null)
        {
            throw new IOException(failure);
        }

        if (agent != VdiResult.NOERROR || !done.IsSet)
        {
            throw new VdiException(agent, $"The completion agent answered {agent} after {completed} of {run.Count} commands.");
        }

        OpenVdiThroughput.Check(server.Close(), "Close");
        return Stopwatch.GetElapsedTime(started, stopped);
    }
}
