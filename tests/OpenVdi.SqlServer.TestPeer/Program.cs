using System.Globalization;
using OpenVdi;
using OpenVdi.Engine.Execution;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.SqlServer.TestPeer;

// The other process of the binding's cross-process tests. Each role reports on stdout, one line per event, so that the
// test orders itself on what the peer did (never on time). A Linux binding here finds its libsqlvdi.so through
// OPENVDI_SQLVDI_LIBRARY, which the test sets: the variable is part of what is tested.
//
//   engine <dataDirectory> <socket>           the engine daemon (what `vdi engine serve` runs): "listening", then serves
//                                             until stdin closes
//   secondary <implementation> <set> <device> attach as a secondary, open the device, and for each VDC_Write print
//                                             "handle <hex> <size>", wait for "done", print "seen <checksum>" of the
//                                             buffer as this process sees it, complete it; "closed" at VD_E_CLOSE
//   mapper <implementation> <set>             attach as a secondary; "map <hex> <size>" answers "mapped <result> <sha256>"
//   load [path]                               load Microsoft's library as VirtualDeviceSets does: "loaded <file>" or
//                                             "failed" and the message
try
{
    return args[0] switch
    {
        "engine" => await Engine(args[1], args[2]),
        "secondary" => Secondary(Parse(args[1]), args[2], args[3]),
        "mapper" => Mapper(Parse(args[1]), args[2]),
        "load" => Load(args.Length > 1 ? args[1] : null),
        _ => throw new ArgumentException($"Unknown role {args[0]}"),
    };
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.WriteLine("error " + e.Message.ReplaceLineEndings(" | "));
    return 2;
}

static ClientImplementation Parse(string name) => Enum.Parse<ClientImplementation>(name);

static async Task<int> Engine(string dataDirectory, string socket)
{
    var engine = new StatementEngine(new EngineOptions { DataDirectory = dataDirectory });
    await using var daemon = new EngineDaemon(engine, new EngineDaemonOptions { SocketPath = socket });
    daemon.Start();
    Console.WriteLine("listening");
    while (await Console.In.ReadLineAsync() is not null)
    {
    }

    await daemon.StopAsync();
    Console.WriteLine("stopped");
    return 0;
}

static int Secondary(ClientImplementation implementation, string set, string deviceName)
{
    using var client = ClientImplementations.Create(implementation);
    Expect(client.OpenInSecondaryEx(null, set), "OpenInSecondaryEx");
    Expect(client.GetConfiguration(VdiTimeout.Infinite, out _), "GetConfiguration");
    Expect(client.OpenDevice(deviceName, out var device), "OpenDevice");
    Console.WriteLine("attached");
    while (true)
    {
        var result = device!.GetCommand(VdiTimeout.Infinite, out var command);
        if (result == VdiResult.VD_E_CLOSE)
        {
            break;
        }

        Expect(result, "GetCommand");
        if (command!.CommandCode == VdCommandCode.VDC_Write)
        {
            Expect(client.GetBufferHandle(command.Buffer, out uint handle), "GetBufferHandle");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"handle {handle:X8} {command.Size}"));

            // The process that took the handle completes the command, once its partner says it is done; first it says
            // what the buffer holds as seen from here, so the partner can check that both see the same memory.
            if (Console.ReadLine() != "done")
            {
                return 3;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seen {Checksum(command.Data)}"));
        }

        Expect(device.CompleteCommand(command, Win32Error.ERROR_SUCCESS, command.Size, 0), "CompleteCommand");
    }

    Console.WriteLine("closed");
    Expect(client.Close(), "Close");
    return 0;
}

static unsafe int Mapper(ClientImplementation implementation, string set)
{
    using var client = ClientImplementations.Create(implementation);
    Expect(client.OpenInSecondaryEx(null, set), "OpenInSecondaryEx");
    Console.WriteLine("attached");
    while (Console.ReadLine() is { } line && line != "close")
    {
        string[] word = line.Split(' ');
        uint handle = uint.Parse(word[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        int size = int.Parse(word[2], CultureInfo.InvariantCulture);
        var result = client.MapBufferHandle(handle, out nint address);
        string seen = result == VdiResult.NOERROR ? Checksum(new ReadOnlySpan<byte>((void*)address, size)) : "-";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mapped {result} {seen}"));
    }

    Console.WriteLine($"closed {client.Close()}");
    return 0;
}

static int Load(string? path)
{
    if (!OperatingSystem.IsLinux())
    {
        throw new PlatformNotSupportedException("libsqlvdi.so is Linux's.");
    }

    try
    {
        Console.WriteLine("loaded " + VirtualDeviceSets.LoadSqlVdiLibrary(new VdiLibraryOptions { SqlVdiLibraryPath = path }));
        return 0;
    }
    catch (VdiLibraryLoadException e)
    {
        Console.WriteLine("failed");
        Console.WriteLine(e.Message);
        return 1;
    }
}

static string Checksum(ReadOnlySpan<byte> data) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data));

static void Expect(VdiResult result, string call)
{
    if (result != VdiResult.NOERROR)
    {
        throw new InvalidOperationException($"{call} answered {result}.");
    }
}
