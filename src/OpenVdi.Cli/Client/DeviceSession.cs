using System.Diagnostics;
using System.Globalization;
using OpenVdi.Engine.Execution;

namespace OpenVdi.Cli.Client;

/// <summary>
/// The client's half of one statement over a virtual device set, as a real VDI client runs it (VDI spec §11):
/// create the set (through the VDI library asked for), send the statement (concurrently), wait for the configuration
/// or for the statement to end first, open every device and run the library's device loop on it
/// (<see cref="BackupDeviceStream"/> into the stripe, or <see cref="RestoreDeviceStream"/> from it), then decide from
/// the statement's outcome. If the statement
/// fails, is cancelled or the engine cannot be reached, the set is aborted so that no device waits forever. With a
/// timeout, an engine that does not configure the set in time, or stops sending commands, is a failure too: the set
/// is aborted, and the statement cancelled if it does not end by itself.
/// </summary>
internal static class DeviceSession
{
    /// <summary>How long the devices may take to end after the statement succeeded (the engine closes them before it answers).</summary>
    private static readonly TimeSpan s_drainLimit = TimeSpan.FromSeconds(30);

    /// <summary>How often the watchdog looks at the set's activity.</summary>
    private static readonly TimeSpan s_watchSlice = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs a statement with its devices copying to or from the stripes.</summary>
    /// <param name="request">The engine, the statement, the devices and their stripes.</param>
    /// <param name="cancellationToken">Cancels the statement and aborts the set.</param>
    /// <returns>What happened; never throws for a failed statement, an unreachable engine, a stall or a cancellation.</returns>
    /// <exception cref="VdiException">The set cannot be created.</exception>
    /// <exception cref="VdiLibraryLoadException">Microsoft's VDI library, asked for, cannot be loaded.</exception>
    public static async Task<SessionResult> RunAsync(SessionRequest request, CancellationToken cancellationToken)
    {
        string setName = "vdi-" + Guid.NewGuid().ToString("D");
        var deviceNames = Enumerable.Range(0, request.DeviceCount)
            .Select(i => i == 0 ? setName : string.Create(CultureInfo.InvariantCulture, $"{setName}.{i + 1}"))
            .ToArray();
        var config = new VdConfig
        {
            DeviceCount = (uint)request.DeviceCount,
            Features = request.Direction == VdFeatures.VDF_WriteMedia ? VdFeatures.VDF_RequestComplete : VdFeatures.VDF_LikePipe,
        };

        using var set = VirtualDeviceSet.Create(VirtualDeviceSets.Create(request.Library, request.LibraryOptions), setName, config);
        using var abortOnCancel = cancellationToken.Register(() => SafeAbort(set));

        // The statement is cancelled with the caller, or when this side gave up on an engine that stopped answering.
        using var statementCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string statement = request.Statement(deviceNames);
        request.Observer?.Started(new TransferStart(setName, deviceNames, request.StripeNames, request.Monitor));
        var elapsed = Stopwatch.StartNew();
        try
        {
            // The statement runs while this side configures and serves: the engine opens the set by name.
            var running = Task.Run(
                () => request.Faults.IsEmpty
                    ? request.Engine.ExecuteAsync(statement, request.Sink, statementCancel.Token)
                    : request.Engine.ExecuteAsync(statement, request.Faults, request.Sink, statementCancel.Token),
                CancellationToken.None);

            var failures = new string?[request.DeviceCount];
            var (negotiated, configurationProblem) = await ConfigureAsync(set, running, request.Timeout, cancellationToken).ConfigureAwait(false);
            if (negotiated is { } settled && (settled.Features & request.Direction) == 0)
            {
                configurationProblem = request.Direction == VdFeatures.VDF_WriteMedia
                    ? "The engine configured the set for reading, where a backup writes."
                    : "The engine configured the set for writing, where a restore reads.";
                SafeAbort(set);
                negotiated = null;
            }

            failures[0] = configurationProblem;
            bool gaveUp = configurationProblem is not null;
            if (negotiated is not null)
            {
                var watchdog = new DeviceWatchdog(request.Timeout);
                var transfers = deviceNames.Select((name, i) => TransferAsync(set, name, request, i, watchdog, failures)).ToArray();
                var devices = Task.WhenAll(transfers);
                var watching = WatchAsync(set, devices, transfers, request.StripeNames, watchdog, failures);
                if (await Task.WhenAny(devices, running).ConfigureAwait(false) == running)
                {
                    if (!running.IsCompletedSuccessfully || !running.Result.Succeeded)
                    {
                        // The statement is over and failed: no command will come; end the device loops now.
                        SafeAbort(set);
                    }
                    else
                    {
                        try
                        {
                            await devices.WaitAsync(s_drainLimit, CancellationToken.None).ConfigureAwait(false);
                        }
                        catch (TimeoutException)
                        {
                            SafeAbort(set);
                        }
                    }
                }

                await devices.ConfigureAwait(false);
                gaveUp |= await watching.ConfigureAwait(false);
            }

            if (gaveUp && request.Timeout != Timeout.InfiniteTimeSpan)
            {
                // The set is aborted, which ends the statement of a sound engine at once; one that does not end it
                // in its turn is cancelled, so that a stalled engine is never waited for without end.
                await Task.WhenAny(running, Task.Delay(request.Timeout, CancellationToken.None)).ConfigureAwait(false);
                if (!running.IsCompleted)
                {
                    await statementCancel.CancelAsync().ConfigureAwait(false);
                }
            }

            StatementOutcome? outcome = null;
            Exception? engineFailure = null;
            bool cancelled = false;
            try
            {
                outcome = await running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                cancelled = cancellationToken.IsCancellationRequested;
            }
            catch (Exception e)
            {
                // Not an outcome: the engine could not be reached, broke the connection, or failed inside.
                engineFailure = e;
            }

            elapsed.Stop();
            return new SessionResult
            {
                SetName = setName,
                Outcome = outcome,
                EngineFailure = engineFailure,
                Cancelled = cancelled || cancellationToken.IsCancellationRequested,
                Configuration = negotiated,
                DeviceFailures = failures,
                Elapsed = elapsed.Elapsed,
            };
        }
        finally
        {
            request.Observer?.Ended();
        }
    }

    /// <summary>
    /// The configuration; or null with nothing to say when the statement ended first, the set aborted or the caller
    /// cancelled; or null with the problem when the engine did not configure the set within the timeout.
    /// </summary>
    private static async Task<(VdConfig? Config, string? Problem)> ConfigureAsync(VirtualDeviceSet set, Task<StatementOutcome> running, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var configuring = set.GetConfigurationAsync(timeout, giveUp.Token);
        await Task.WhenAny(configuring, running).ConfigureAwait(false);
        if (configuring.IsCompletedSuccessfully)
        {
            return (configuring.Result, null);
        }

        if (configuring.IsFaulted && configuring.Exception.InnerException is VdiException { IsTimeout: true })
        {
            SafeAbort(set);
            return (null, $"The engine did not configure the virtual devices within {CommandLine.Duration.Format(timeout)} (--timeout); the set was aborted.");
        }

        // The statement ended (it failed, or the engine could not be reached) before the engine configured the set:
        // stop waiting, and abort the set in case the engine still holds it.
        await giveUp.CancelAsync().ConfigureAwait(false);
        try
        {
            return (await configuring.ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is OperationCanceledException or VdiException)
        {
            SafeAbort(set);
            return (null, null);
        }
    }

    /// <summary>
    /// Opens device <paramref name="index"/> and runs the library's device loop on it until its end: a backup's bytes
    /// into its stripe (each VDC_Flush and VDC_Complete made durable), or a restore's from it. A failure of the
    /// stripe is reported to the engine by the loop, and kept here for the report; an abort ends the loop, and the
    /// statement's outcome says why. Never throws.
    /// </summary>
    private static async Task TransferAsync(VirtualDeviceSet set, string name, SessionRequest request, int index, DeviceWatchdog watchdog, string?[] failures)
    {
        // Off the caller's thread: OpenDevice may wait for the engine to name the device.
        await Task.Yield();
        try
        {
            var device = set.OpenDevice(name);
            var stripe = new WatchedStream(request.Stripe(index), watchdog);
            if (request.Direction == VdFeatures.VDF_WriteMedia)
            {
                await using var backup = new BackupDeviceStream(device);
                await backup.CopyToAsync(stripe).ConfigureAwait(false);
                return;
            }

            var restore = new RestoreDeviceStream(device);
            try
            {
                await restore.CopyFromAsync(stripe).ConfigureAwait(false);
                await restore.CompleteAsync().ConfigureAwait(false);
            }
            catch (VdiException e) when (e.IsClosed)
            {
                // The engine stopped reading before the end (HEADERONLY reads only the start): its outcome decides.
            }
        }
        catch (VdiException e) when (e.IsAbort || e.IsClosed)
        {
            // The set aborted: the statement's outcome, or the watchdog, says why.
        }
        catch (Exception e) when (e is IOException or VdiException or ObjectDisposedException)
        {
            failures[index] ??= e is IOException ? e.Message : $"{request.StripeNames[index]}: {e.Message}";
            SafeAbort(set);
        }
    }

    /// <summary>
    /// Aborts the set when the engine stopped sending: no device busy with a stripe and nothing seen for the timeout
    /// (see <see cref="DeviceWatchdog"/>). Names the first device still running. True when it fired.
    /// </summary>
    private static async Task<bool> WatchAsync(VirtualDeviceSet set, Task devices, Task[] transfers, IReadOnlyList<string> stripes, DeviceWatchdog watchdog, string?[] failures)
    {
        if (!watchdog.Enabled)
        {
            return false;
        }

        using var ticks = new PeriodicTimer(s_watchSlice);
        while (!devices.IsCompleted)
        {
            await Task.WhenAny(devices, ticks.WaitForNextTickAsync().AsTask()).ConfigureAwait(false);
            if (!devices.IsCompleted && watchdog.HasStalled())
            {
                int stalled = Math.Max(0, Array.FindIndex(transfers, t => !t.IsCompleted));
                failures[stalled] ??= $"{stripes[stalled]}: the engine sent no command for {CommandLine.Duration.Format(watchdog.Timeout)} (--timeout); the set was aborted.";
                SafeAbort(set);
                return true;
            }
        }

        return false;
    }

    private static void SafeAbort(VirtualDeviceSet set)
    {
        try
        {
            set.Abort();
        }
        catch (Exception e) when (e is ObjectDisposedException or VdiException)
        {
            // Already closed, or the segment is unusable: either way nothing waits on it.
        }
    }
}
