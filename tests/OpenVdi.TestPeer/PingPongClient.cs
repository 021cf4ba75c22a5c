using System.Diagnostics;

namespace OpenVdi.TestPeer;

/// <summary>
/// The client of the ordering stress tests' ping-pong: creates the set, then fetches and completes one command after
/// another, pausing 0 to about 20 µs after each completion so that its return to sleep meets the moment the server
/// publishes the next command at a different point every round. <c>sync</c> waits in GetCommand; <c>async</c> awaits
/// GetCommandAsync, whose loop then continues on the doorbell's thread (a console program has no context to return
/// to). Prints <c>created</c>, then <c>done ROUNDS</c> and, once the server closed the device, <c>end VD_E_CLOSE</c>;
/// or <c>lost-wake-up ROUND MS</c> for a wait that a publication did not end within the limit.
/// </summary>
public static class PingPongClient
{
    /// <summary>How long a wait may last before it is taken for a lost wake-up (a round takes microseconds).</summary>
    private const int LostWakeUp = 10000;

    public static async Task<int> RunAsync(string set, int rounds, bool asynchronous)
    {
        // Every wait must reach the sleep: a wait that spins first catches the next command before it registers, and
        // the race this client is for (a publication as the waiter goes to sleep) would go unexercised.
        OpenVdi.Transport.WaitPolicy.SpinIterations = 0;
        using var vds = VirtualDeviceSet.Create(set, new VdConfig { DeviceCount = 1 });
        Console.WriteLine("created");
        await vds.GetConfigurationAsync().ConfigureAwait(false);
        var device = vds.OpenDevice(set);
        var jitter = new Random(rounds);
        for (int round = 0; round < rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            bool fetched = asynchronous ? await FetchAsync(device).ConfigureAwait(false) : FetchSync(device);

            // A wait that sleeps looks again when its slice ends, so a lost wake-up shows as a wait of a whole slice or
            // more, or as no command at all.
            var waited = Stopwatch.GetElapsedTime(start);
            if (!fetched || waited.TotalMilliseconds >= LostWakeUp)
            {
                Console.WriteLine($"lost-wake-up {round} {waited.TotalMilliseconds:F0}");
                return 1;
            }

            Thread.SpinWait(jitter.Next(400));
        }

        // The set ends as a statement's does: the server closes the device, then the client closes the set.
        Console.WriteLine($"done {rounds}");
        var end = device.Faithful.GetCommand(LostWakeUp, out _);
        Console.WriteLine($"end {end}");
        return end == VdiResult.VD_E_CLOSE ? 0 : 1;
    }

    private static bool FetchSync(VirtualDevice device)
    {
        if (device.Faithful.GetCommand(LostWakeUp, out var command) != VdiResult.NOERROR)
        {
            return false;
        }

        return device.Faithful.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 0, 0) == VdiResult.NOERROR;
    }

    private static async Task<bool> FetchAsync(VirtualDevice device)
    {
        using var patience = new CancellationTokenSource(LostWakeUp);
        try
        {
            var command = await device.GetCommandAsync(patience.Token).ConfigureAwait(false);
            command?.Complete();
            return command.HasValue;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
