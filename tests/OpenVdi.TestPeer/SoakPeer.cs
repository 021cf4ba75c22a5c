using System.Globalization;
using OpenVdi.Engine.Devices;

namespace OpenVdi.TestPeer;

/// <summary>
/// The two long-lived peers of the hostile-writer soak: a client and a server process that run one set after another
/// as the test says, while the test writes hostile values into each set's files. Each set is a striped BACKUP (the
/// server sends the test pattern in VDC_Write commands) or RESTORE (the client answers VDC_Read commands with it);
/// the receiving side reports a checksum of what it received, so the test can tell a success with the wrong bytes
/// from a real one.
/// </summary>
/// <remarks>
/// Protocol on stdin, one line each: <c>run SET DEVICES BYTES backup|restore</c> starts a set (the client answers
/// <c>created SET</c> once it exists), <c>abort</c> makes the client call SignalAbort: at once while it waits for
/// the configuration (the application's answer to a failed statement), or else on the next command a device fetches,
/// which it then never completes (its result is then <c>failed:signalled</c>), <c>quit</c> exits. Each set ends with one line <c>result SET ok|failed:WHY CHECKSUMS</c>, the
/// checksums being one FNV-1a value per device in hex, joined by commas.
/// </remarks>
public static class SoakPeer
{
    private static int s_abortRequested;
    private static int s_signalled;
    private static int s_configured;

    public static int Run(bool client)
    {
        ClientVirtualDeviceSet? current = null;
        Thread? worker = null;
        while (Console.ReadLine() is { } line && line != "quit")
        {
            string[] word = line.Split(' ');
            switch (word[0])
            {
                case "run":
                    worker?.Join();
                    string set = word[1];
                    int devices = int.Parse(word[2], CultureInfo.InvariantCulture);
                    long bytes = long.Parse(word[3], CultureInfo.InvariantCulture);
                    bool backup = word[4] == "backup";
                    if (client)
                    {
                        s_abortRequested = s_signalled = s_configured = 0;
                        var vds = new ClientVirtualDeviceSet();
                        Volatile.Write(ref current, vds);
                        worker = new Thread(() => Report(set, RunClient(vds, set, devices, bytes, backup)));
                    }
                    else
                    {
                        worker = new Thread(() => Report(set, RunServer(set, devices, bytes, backup)));
                    }

                    worker.Start();
                    break;
                case "abort":
                    Volatile.Write(ref s_abortRequested, 1);
                    if (Volatile.Read(ref current) is { } waiting && Volatile.Read(ref s_configured) == 0)
                    {
                        waiting.SignalAbort();
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown soak command {line}");
            }
        }

        worker?.Join();
        return 0;
    }

    private static void Report(string set, (string Outcome, ulong[] Checksums) result)
    {
        string sums = string.Join(',', result.Checksums.Select(c => c.ToString("X16", CultureInfo.InvariantCulture)));
        Console.WriteLine($"result {set} {result.Outcome} {sums}");
    }

    private static string DeviceName(string set, int device) => device == 0 ? set : $"{set}.{device}";

    private static (string, ulong[]) RunClient(ClientVirtualDeviceSet vds, string set, int devices, long bytes, bool backup)
    {
        var sums = new ulong[devices];
        using (vds)
        {
            var created = vds.CreateEx(null, set, new VdConfig { DeviceCount = (uint)devices, Features = VdFeatures.VDF_RequestComplete });
            Console.WriteLine($"created {set}");
            if (created != VdiResult.NOERROR)
            {
                return ($"failed:create-{created}", sums);
            }

            var configured = vds.GetConfiguration(VdiTimeout.Infinite, out _);
            Volatile.Write(ref s_configured, 1);
            if (configured != VdiResult.NOERROR)
            {
                vds.Close();
                return ($"failed:configuration-{configured}", sums);
            }

            var outcomes = new string?[devices];
            var threads = Enumerable.Range(0, devices).Select(d => new Thread(() => outcomes[d] = ServeDevice(vds, set, d, bytes, backup, ref sums[d]))).ToArray();
            foreach (var thread in threads)
            {
                thread.Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }

            var closed = vds.Close();
            string? failure = Volatile.Read(ref s_signalled) != 0 ? "signalled"
                : outcomes.FirstOrDefault(o => o is not null) ?? (closed == VdiResult.NOERROR ? null : $"close-{closed}");
            return (failure is null ? "ok" : "failed:" + failure, sums);
        }
    }

    /// <summary>Serves one device to its end; null when it ended normally (VD_E_CLOSE after every command succeeded).</summary>
    private static string? ServeDevice(ClientVirtualDeviceSet vds, string set, int index, long bytes, bool backup, ref ulong sum)
    {
        var opened = vds.OpenDevice(DeviceName(set, index), out var device);
        if (opened != VdiResult.NOERROR)
        {
            return $"open-{opened}";
        }

        sum = Fnv.Start;
        long offset = 0;
        while (true)
        {
            var result = device!.GetCommand(VdiTimeout.Infinite, out var command);
            if (result == VdiResult.VD_E_CLOSE)
            {
                return null;
            }

            if (result != VdiResult.NOERROR)
            {
                return $"get-{result}";
            }

            // The application gives up in the middle of the stream: the command it holds is never completed.
            if (Volatile.Read(ref s_abortRequested) != 0 && Interlocked.Exchange(ref s_signalled, 1) == 0)
            {
                vds.SignalAbort();
                continue;
            }

            uint code = Win32Error.ERROR_SUCCESS;
            uint done = 0;
            switch (command!.CommandCode)
            {
                case VdCommandCode.VDC_Write when backup:
                    sum = Fnv.Add(sum, command.Data);
                    done = command.Size;
                    break;
                case VdCommandCode.VDC_Read when !backup:
                    int n = (int)Math.Min(command.Size, bytes - offset);
                    TestPattern.Fill(index, offset, command.Data[..n]);
                    offset += n;
                    done = (uint)n;
                    code = n < command.Size ? Win32Error.ERROR_HANDLE_EOF : Win32Error.ERROR_SUCCESS;
                    break;
                case VdCommandCode.VDC_Read or VdCommandCode.VDC_Write:
                    code = Win32Error.ERROR_NOT_SUPPORTED;
                    break;
            }

            var completed = device.CompleteCommand(command, code, done, 0);
            if (completed != VdiResult.NOERROR)
            {
                return $"complete-{completed}";
            }
        }
    }

    private static (string, ulong[]) RunServer(string set, int devices, long bytes, bool backup)
    {
        var sums = Enumerable.Repeat(Fnv.Start, devices).ToArray();
        var others = Enumerable.Range(1, devices - 1).Select(d => DeviceName(set, d)).ToArray();
        var options = new StreamingOptions { BufferCount = (uint)((2 * devices) + 2), OpenTimeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var server = StreamingServer.Open(null, set, backup ? VdFeatures.VDF_WriteMedia : VdFeatures.VDF_ReadMedia, options, others);
            var sent = new long[devices];
            var result = backup
                ? server.RunBackup((device, buffer) =>
                {
                    int n = (int)Math.Min(buffer.Length, bytes - sent[device]);
                    TestPattern.Fill(device, sent[device], buffer[..n]);
                    sent[device] += n;
                    return n;
                })
                : server.RunRestore((device, data) =>
                {
                    sums[device] = Fnv.Add(sums[device], data);
                    sent[device] += data.Length;
                    return sent[device] < bytes;
                });
            return (result.Succeeded ? "ok" : "failed:" + result.Failure?.Replace(' ', '_'), sums);
        }
        catch (VdiException e)
        {
            return ($"failed:open-{e.Result}", sums);
        }
    }
}

/// <summary>64-bit FNV-1a, fed in pieces: both sides of a soak set checksum the stream as it passes.</summary>
public static class Fnv
{
    public const ulong Start = 14695981039346656037;

    public static ulong Add(ulong hash, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            hash = (hash ^ b) * 1099511628211;
        }

        return hash;
    }

    /// <summary>The checksum of the test pattern's first <paramref name="bytes"/> bytes on <paramref name="device"/>.</summary>
    public static ulong OfPattern(int device, long bytes)
    {
        ulong hash = Start;
        for (long i = 0; i < bytes; i++)
        {
            hash = (hash ^ TestPattern.At(device, i)) * 1099511628211;
        }

        return hash;
    }
}
