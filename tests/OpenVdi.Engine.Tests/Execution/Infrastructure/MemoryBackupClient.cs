using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Engine.Tests.Execution.Infrastructure;

/// <summary>
/// A backup application for tests, on the faithful client API: it creates a set, sends the statement to the engine,
/// and serves every device from or into memory, the way a real VDI client does. Each device's stripe is a byte array.
/// </summary>
public static class MemoryBackupClient
{
    /// <summary>A client's answer to one command: the completion code and the bytes it moved.</summary>
    public readonly record struct Answer(uint Code, uint Bytes);

    /// <summary>Replaces the ordinary answer to a command when it returns one.</summary>
    public delegate Answer? Intercept(int device, VdcCommand command);

    public static string DeviceClauses(string set, int devices) =>
        string.Join(", ", Enumerable.Range(0, devices).Select(d => $"VIRTUAL_DEVICE = '{DeviceName(set, d)}'"));

    public static string DeviceName(string set, int device) => device == 0 ? set : $"{set}.{device + 1}";

    /// <summary>Runs <c>BACKUP DATABASE [db] TO …</c> over <paramref name="devices"/> devices; returns the outcome and each device's stripe.</summary>
    /// <remarks>
    /// <paramref name="log"/> (optional) records what each device's client saw; <paramref name="faults"/> go with the
    /// statement; <paramref name="kind"/> is DATABASE or LOG.
    /// </remarks>
    public static async Task<(StatementOutcome Outcome, byte[][] Stripes)> BackupAsync(IStatementEngine engine, string database, int devices, string with = "", Intercept? intercept = null, IStatementSink? sink = null, ClientLog? log = null, FaultPlan? faults = null, string kind = "DATABASE")
    {
        string set = "eng-" + Guid.NewGuid().ToString("N");
        var stripes = Enumerable.Range(0, devices).Select(_ => new MemoryStream()).ToArray();
        string statement = $"BACKUP {kind} [{database}] TO {DeviceClauses(set, devices)}{With(with)}";
        var outcome = await RunAsync(engine, set, devices, statement, sink, log, faults, (device, command) =>
        {
            if (intercept?.Invoke(device, command) is { } answer)
            {
                return answer;
            }

            switch (command.CommandCode)
            {
                case VdCommandCode.VDC_Write:
                    stripes[device].Write(command.Data);
                    return new Answer(Win32Error.ERROR_SUCCESS, command.Size);
                case VdCommandCode.VDC_Flush or VdCommandCode.VDC_Complete or VdCommandCode.VDC_ClearError:
                    return new Answer(Win32Error.ERROR_SUCCESS, 0);
                default:
                    return new Answer(Win32Error.ERROR_NOT_SUPPORTED, 0);
            }
        });
        return (outcome, stripes.Select(s => s.ToArray()).ToArray());
    }

    /// <summary>Runs a RESTORE-family statement (<paramref name="head"/> is everything before FROM) serving <paramref name="stripes"/> on devices 0..n-1.</summary>
    public static Task<StatementOutcome> RestoreAsync(IStatementEngine engine, string head, IReadOnlyList<byte[]> stripes, string with = "", Intercept? intercept = null, ClientLog? log = null)
    {
        string set = "eng-" + Guid.NewGuid().ToString("N");
        var positions = new long[stripes.Count];
        string statement = $"{head} FROM {DeviceClauses(set, stripes.Count)}{With(with)}";
        return RunAsync(engine, set, stripes.Count, statement, null, log, null, (device, command) =>
        {
            if (intercept?.Invoke(device, command) is { } answer)
            {
                return answer;
            }

            if (command.CommandCode != VdCommandCode.VDC_Read)
            {
                return new Answer(command.CommandCode == VdCommandCode.VDC_ClearError ? Win32Error.ERROR_SUCCESS : Win32Error.ERROR_NOT_SUPPORTED, 0);
            }

            // A plain byte stream: any read size; a short read at the end reports the bytes it copied with EOF.
            var source = stripes[device];
            int n = (int)Math.Min(command.Size, source.Length - positions[device]);
            source.AsSpan((int)positions[device], n).CopyTo(command.Data);
            positions[device] += n;
            return new Answer(n < command.Size ? Win32Error.ERROR_HANDLE_EOF : Win32Error.ERROR_SUCCESS, (uint)n);
        });
    }

    private static string With(string with) => with.Length > 0 ? " WITH " + with : string.Empty;

    private static async Task<StatementOutcome> RunAsync(IStatementEngine engine, string set, int devices, string statement, IStatementSink? sink, ClientLog? log, FaultPlan? faults, Func<int, VdcCommand, Answer> serve)
    {
        log ??= new ClientLog();
        log.Prepare(devices);
        using var vds = new ClientVirtualDeviceSet();
        Assert.Equal(VdiResult.NOERROR, vds.CreateEx(null, set, new VdConfig { DeviceCount = (uint)devices, Features = VdFeatures.VDF_RequestComplete }));
        var running = faults is null ? engine.ExecuteAsync(statement, sink) : engine.ExecuteAsync(statement, faults, sink);
        while (vds.GetConfiguration(200, out _) == VdiResult.VD_E_TIMEOUT)
        {
            // The statement may fail before it ever opens the set (a bad statement, an unknown database).
            if (running.IsCompleted)
            {
                vds.Close();
                return await running;
            }
        }

        var served = Enumerable.Range(0, devices)
            .Select(d => Task.Factory.StartNew(() => ServeDevice(vds, DeviceName(set, d), d, serve, log), TaskCreationOptions.LongRunning))
            .ToArray();
        await Task.WhenAll(served);
        vds.Close();
        return await running;
    }

    /// <summary>
    /// Serves one device until GetCommand returns anything but a command; the log gets that result. A wait that times
    /// out after the first command counts in the log, which may then abort the set (as a client with a timeout does);
    /// otherwise the client keeps waiting, up to 30 seconds in all without a command.
    /// </summary>
    private static void ServeDevice(ClientVirtualDeviceSet vds, string name, int device, Func<int, VdcCommand, Answer> serve, ClientLog log)
    {
        var opened = vds.OpenDevice(name, out var vd);
        if (opened != VdiResult.NOERROR)
        {
            log.End(device, opened);
            return;
        }

        var idle = System.Diagnostics.Stopwatch.StartNew();
        bool started = false;
        while (true)
        {
            var result = vd!.GetCommand(log.WaitMilliseconds, out var command);
            if (result == VdiResult.VD_E_TIMEOUT && idle.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (started && log.TimedOut(device))
                {
                    vds.SignalAbort();
                }

                continue;
            }

            if (result != VdiResult.NOERROR)
            {
                log.End(device, result);
                return;
            }

            started = true;
            var answer = serve(device, command!);
            vd.CompleteCommand(command!, answer.Code, answer.Bytes, 0);
            if (command!.CommandCode == VdCommandCode.VDC_Write)
            {
                log.Moved(device, answer.Bytes);
            }

            idle.Restart();
        }
    }
}
