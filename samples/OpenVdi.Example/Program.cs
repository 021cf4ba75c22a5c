using System.Diagnostics;
using System.Globalization;
using OpenVdi;
using OpenVdi.Engine.Devices;
using OpenVdi.Example;

// OpenVdi example: a backup application (this process, the VDI client) and a server playing SQL Server's part
// (a child process started from this same program) move a stream through a striped virtual device set in shared
// memory. The client checks every byte and prints the throughput.
//
//   dotnet run -c Release --project samples/OpenVdi.Example -- [--devices 4] [--size-mib 1024] [--transfer-kib 1024] [--buffers 16]
var options = ExampleOptions.Parse(args);
if (options.ServeSet is { } serveSet)
{
    return Server.Run(serveSet, options);
}

return Client.Run(options);

internal sealed record ExampleOptions(int Devices, long SizeBytes, uint TransferBytes, uint Buffers, string? ServeSet)
{
    public static ExampleOptions Parse(string[] args)
    {
        int devices = 4;
        long sizeMib = 1024;
        uint transferKib = 1024;
        uint buffers = 16;
        string? serve = null;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--devices": devices = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--size-mib": sizeMib = long.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--transfer-kib": transferKib = uint.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--buffers": buffers = uint.Parse(value, CultureInfo.InvariantCulture); i++; break;
                case "--serve": serve = value; i++; break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        if (devices is < 1 or > 64 || sizeMib < 1 || transferKib % 64 != 0 || transferKib is < 64 or > 4096)
        {
            throw new ArgumentException("Devices 1..64, size at least 1 MiB, transfer a multiple of 64 KiB up to 4096 KiB.");
        }

        return new ExampleOptions(devices, sizeMib << 20, transferKib << 10, buffers, serve);
    }

    public static string DeviceName(string set, int device) => device == 0 ? set : $"{set}.{device}";

    public long BytesOf(int device) => (SizeBytes / Devices) + (device < SizeBytes % Devices ? 1 : 0);

    public string[] ServerArgs(string set) =>
        ["--serve", set, "--devices", Devices.ToString(CultureInfo.InvariantCulture), "--size-mib", (SizeBytes >> 20).ToString(CultureInfo.InvariantCulture),
         "--transfer-kib", (TransferBytes >> 10).ToString(CultureInfo.InvariantCulture), "--buffers", Buffers.ToString(CultureInfo.InvariantCulture)];
}

/// <summary>The server process: what SQL Server does for BACKUP ... TO VIRTUAL_DEVICE = ..., with a synthetic stream.</summary>
internal static class Server
{
    public static int Run(string set, ExampleOptions options)
    {
        var streaming = new StreamingOptions { MaxTransferSize = options.TransferBytes, BufferCount = options.Buffers, BlockSize = 65536 };
        var others = Enumerable.Range(1, options.Devices - 1).Select(d => ExampleOptions.DeviceName(set, d)).ToArray();
        using var server = StreamingServer.Open(null, set, VdFeatures.VDF_WriteMedia, streaming, others);
        var sent = new long[options.Devices];
        var result = server.RunBackup((device, buffer) =>
        {
            long left = options.BytesOf(device) - sent[device];
            int n = (int)Math.Min(left, buffer.Length);
            Pattern.Fill(device, sent[device], buffer[..n]);
            sent[device] += n;
            return n;
        });
        Console.Error.WriteLine(result.Succeeded ? $"server: sent {result.TotalBytes:N0} bytes" : $"server: failed: {result.Failure}");
        return result.Succeeded ? 0 : 1;
    }
}

/// <summary>The backup application: creates the set, starts the server, serves every device on its own thread.</summary>
internal static class Client
{
    public static int Run(ExampleOptions options)
    {
        string set = "openvdi-example-" + Guid.NewGuid().ToString("N");
        using var vds = new ClientVirtualDeviceSet();
        var config = new VdConfig { DeviceCount = (uint)options.Devices, Features = VdFeatures.VDF_RequestComplete };
        Expect(vds.CreateEx(null, set, config), "CreateEx");

        // The "statement": start the server only after the set exists, as a backup application sends BACKUP after CreateEx.
        using var server = Process.Start(ServerStart(options.ServerArgs(set)))!;
        Console.WriteLine($"OpenVdi example: {options.SizeBytes >> 20} MiB through {options.Devices} devices, {options.TransferBytes >> 10} KiB transfers, {options.Buffers} buffers");
        Console.WriteLine($"  set {set}: client pid {Environment.ProcessId}, server pid {server.Id}");

        VdConfig negotiated;
        VdiResult result;
        while ((result = vds.GetConfiguration(1000, out negotiated)) == VdiResult.VD_E_TIMEOUT)
        {
            if (server.HasExited)
            {
                Console.Error.WriteLine("The server exited before configuring the set.");
                return 1;
            }
        }

        Expect(result, "GetConfiguration");
        Console.WriteLine($"  configured: blockSize={negotiated.BlockSize} maxTransferSize={negotiated.MaxTransferSize} bufferAreaSize={negotiated.BufferAreaSize:N0} features=0x{(uint)negotiated.Features:X}");
        var stopwatch = Stopwatch.StartNew();
        var received = new long[options.Devices];
        var errors = new string?[options.Devices];
        var threads = Enumerable.Range(0, options.Devices).Select(d => new Thread(() => errors[d] = ServeDevice(vds, options, set, d, ref received[d]))).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        double seconds = stopwatch.Elapsed.TotalSeconds;
        var close = vds.Close();
        server.WaitForExit();
        long total = received.Sum();
        foreach (var error in errors.Where(e => e is not null))
        {
            Console.Error.WriteLine("  " + error);
        }

        bool ok = errors.All(e => e is null) && close == VdiResult.NOERROR && server.ExitCode == 0 && total == options.SizeBytes;
        Console.WriteLine($"  received {total:N0} bytes, every byte checked: {(ok ? "all correct" : "FAILED")}");
        Console.WriteLine($"  {total / seconds / 1e6:F0} MB/s ({total / seconds / (1 << 30):F2} GiB/s) in {seconds:F2} s; Close {close}, server exit code {server.ExitCode}");
        return ok ? 0 : 1;
    }

    /// <summary>This same program as the server process, whether it runs as its own executable or as 'dotnet OpenVdi.Example.dll'.</summary>
    private static ProcessStartInfo ServerStart(string[] arguments)
    {
        string path = Environment.ProcessPath!;
        bool viaHost = string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase);
        return new ProcessStartInfo(path, viaHost ? [typeof(Client).Assembly.Location, .. arguments] : arguments) { UseShellExecute = false };
    }

    /// <summary>One device's command loop, as every VDI client has it.</summary>
    private static string? ServeDevice(ClientVirtualDeviceSet vds, ExampleOptions options, string set, int device, ref long received)
    {
        string name = ExampleOptions.DeviceName(set, device);
        var open = vds.OpenDevice(name, out var vd);
        if (open != VdiResult.NOERROR)
        {
            return $"OpenDevice({name}): {open}";
        }

        long expected = 0;
        while (true)
        {
            var result = vd!.GetCommand(VdiTimeout.Infinite, out var command);
            if (result == VdiResult.VD_E_CLOSE)
            {
                return null;
            }

            if (result != VdiResult.NOERROR)
            {
                return $"GetCommand on {name}: {result}";
            }

            uint code = Win32Error.ERROR_SUCCESS;
            uint bytes = 0;
            switch (command!.CommandCode)
            {
                case VdCommandCode.VDC_Write:
                    // The last transfer is padded to whole blocks; only the stream's own bytes are checked.
                    long payload = Math.Min(command.Size, options.BytesOf(device) - expected);
                    if (!Pattern.Check(device, expected, command.Data[..(int)payload]))
                    {
                        code = Win32Error.ERROR_WRITE_FAULT;
                        Console.Error.WriteLine($"  device {device}: wrong bytes at offset {expected}");
                    }

                    expected += payload;
                    received += payload;
                    bytes = command.Size;
                    break;
                case VdCommandCode.VDC_Flush:
                case VdCommandCode.VDC_Complete:
                case VdCommandCode.VDC_ClearError:
                    break;
                default:
                    code = Win32Error.ERROR_NOT_SUPPORTED;
                    break;
            }

            vd.CompleteCommand(command, code, bytes, 0);
        }
    }

    private static void Expect(VdiResult result, string call)
    {
        if (result != VdiResult.NOERROR)
        {
            throw new VdiException(result, $"{call} failed: {result}");
        }
    }
}
