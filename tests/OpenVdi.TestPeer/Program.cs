using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using OpenVdi;
using OpenVdi.Engine.Devices;
using OpenVdi.TestPeer;

// A peer process for OpenVdi's cross-process tests. Each role plays one side of a set and reports on stdout, one
// line per event, so the test can order itself on what the peer did (never on time).
//
//   server-backup <set> <devices> <bytesPerDevice>   serve a BACKUP of the test pattern; exit 0 when it succeeded
//   server-connect <set>                              open the set, then wait to be killed without configuring it
//   server-hold <set>                                 configure, open the device, send one Write, then wait to be killed
//   client-hold <set> <devices>                       create, wait for the server, fetch one command, then wait to be killed
//   client-ping-pong <set> <rounds> sync|async        fetch and complete commands one at a time (see PingPongClient)
//   client-idle-wait <set> [commands]                 create, wait for the server, fetch and complete [commands] commands,
//                                                     then await one that never comes for 1 s and print the CPU time this
//                                                     process's own threads (not the runtime's) used meanwhile
//   secondary <set> <device>                          attach as a secondary, fetch a Write, print its buffer handle, complete on "done"
//                                                     (printing a checksum of the buffer as this process sees it first)
//   server-hostile <set> <controlPath>                a hostile server: configure, open the device, write into the
//                                                     control segment what stdin says (see Hostile), then run the agent
//   client-hostile <set> <controlPath>                a hostile primary client: create, fetch one command, then write
//                                                     into the control segment what stdin says (see Hostile)
//   server-writes <seed> <set>...                     serve every set: one Write of pattern seed+i, then close it normally
//   mapper <set>                                      attach as a secondary and map the handles stdin names (see Mapper)
//   soak-client | soak-server                         run set after set as stdin says, for the hostile-writer soak (see SoakPeer)
try
{
    return args[0] switch
    {
        "server-backup" => ServerBackup(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), long.Parse(args[3], CultureInfo.InvariantCulture)),
        "server-hold" => ServerHold(args[1]),
        "server-connect" => ServerConnect(args[1]),
        "client-hold" => ClientHold(args[1], uint.Parse(args[2], CultureInfo.InvariantCulture)),
        "client-idle-wait" => ClientIdleWait(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0).GetAwaiter().GetResult(),
        "client-ping-pong" => PingPongClient.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3] == "async").GetAwaiter().GetResult(),
        "secondary" => Secondary(args[1], args[2]),
        "server-hostile" => ServerHostile(args[1], args[2]),
        "client-hostile" => ClientHostile(args[1], args[2]),
        "server-writes" => ServerWrites(int.Parse(args[1], CultureInfo.InvariantCulture), args[2..]),
        "mapper" => Mapper(args[1]),
        "soak-client" => SoakPeer.Run(client: true),
        "soak-server" => SoakPeer.Run(client: false),
        _ => throw new ArgumentException($"Unknown role {args[0]}"),
    };
}
catch (Exception e)
{
    Console.WriteLine("error " + e.Message);
    return 2;
}

static string DeviceName(string set, int device) => device == 0 ? set : $"{set}.{device}";

static int ServerBackup(string set, int devices, long bytesPerDevice)
{
    var others = Enumerable.Range(1, devices - 1).Select(d => DeviceName(set, d)).ToArray();
    using var server = StreamingServer.Open(null, set, VdFeatures.VDF_WriteMedia, new StreamingOptions { BufferCount = (uint)(devices * 2) }, others);
    Console.WriteLine("configured");
    var sent = new long[devices];
    var result = server.RunBackup((device, buffer) =>
    {
        int n = (int)Math.Min(buffer.Length, bytesPerDevice - sent[device]);
        TestPattern.Fill(device, sent[device], buffer[..n]);
        sent[device] += n;
        return n;
    });
    Console.WriteLine(result.Succeeded ? $"done {result.TotalBytes}" : $"failed {result.Failure}");
    return result.Succeeded ? 0 : 1;
}

static int ServerHold(string set)
{
    var server = new ServerVirtualDeviceSet();
    OpenWhenCreated(server, set);
    ConfigureForBackup(server, buffers: 4);
    Expect(server.OpenDevice(set, out var device));
    new Thread(() => server.ExecuteCompletionAgent()) { IsBackground = true }.Start();
    Expect(server.AllocateBuffer(out nint buffer, 65536, 0));
    TestPattern.Fill(0, 0, server.GetBufferSpan(buffer, 65536));
    Expect(device!.SendCommand(new VdsCommand { CommandCode = VdCommandCode.VDC_Write, Size = 65536, Buffer = buffer }));
    Console.WriteLine("sent");
    Thread.Sleep(Timeout.Infinite);
    return 0;
}

static int ServerConnect(string set)
{
    var server = new ServerVirtualDeviceSet();
    OpenWhenCreated(server, set);
    Console.WriteLine("connected");
    Thread.Sleep(Timeout.Infinite);
    return 0;
}

static int ClientHold(string set, uint devices)
{
    var client = new ClientVirtualDeviceSet();
    Expect(client.CreateEx(null, set, new VdConfig { DeviceCount = devices }));
    Console.WriteLine("created");
    Expect(client.GetConfiguration(VdiTimeout.Infinite, out _));
    Expect(client.OpenDevice(set, out var device));
    Expect(device!.GetCommand(VdiTimeout.Infinite, out var command));
    Console.WriteLine($"fetched {command!.CommandCode}");
    Thread.Sleep(Timeout.Infinite);
    return 0;
}

static async Task<int> ClientIdleWait(string set, int commands)
{
    using var vds = VirtualDeviceSet.Create(set, new VdConfig { DeviceCount = 1 });
    Console.WriteLine("created");
    await vds.GetConfigurationAsync();
    var device = vds.OpenDevice(set);
    for (int i = 0; i < commands; i++)
    {
        var command = await device.GetCommandAsync() ?? throw new InvalidOperationException("The device closed early.");
        command.Complete();
    }

    Console.WriteLine($"served {commands}");
    var clock = System.Diagnostics.Stopwatch.StartNew();
    double before = OwnThreadsProcessorMs();
    using var patience = new CancellationTokenSource(1000);
    try
    {
        await device.GetCommandAsync(patience.Token);
        Console.WriteLine("error a command came");
        return 1;
    }
    catch (OperationCanceledException)
    {
    }

    Console.WriteLine($"idle-wait cpu {OwnThreadsProcessorMs() - before:F0} wall {clock.ElapsedMilliseconds}");
    return 0;
}

// The processor time of this process's threads but the runtime's own (named ".NET …"): after a flow of commands the
// tiered JIT compiles the hot methods again in the background, which is not the wait's doing. From /proc/self/task,
// in ticks of 10 ms (USER_HZ 100).
static double OwnThreadsProcessorMs()
{
    long ticks = 0;
    foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
    {
        try
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET", StringComparison.Ordinal))
            {
                continue;
            }

            // After the command name in parentheses: state is field 3, utime field 14, stime field 15.
            string stat = File.ReadAllText(Path.Combine(task, "stat"));
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            // The thread ended while we looked.
        }
    }

    return ticks * 10.0;
}

static int Secondary(string set, string deviceName)
{
    using var client = new ClientVirtualDeviceSet();
    Expect(client.OpenInSecondaryEx(null, set));
    Expect(client.OpenDevice(deviceName, out var device));
    Expect(client.GetConfiguration(VdiTimeout.Infinite, out _));
    while (true)
    {
        var result = device!.GetCommand(VdiTimeout.Infinite, out var command);
        if (result == VdiResult.VD_E_CLOSE)
        {
            break;
        }

        Expect(result);
        if (command!.CommandCode == VdCommandCode.VDC_Write)
        {
            Expect(client.GetBufferHandle(command.Buffer, out uint handle));
            Console.WriteLine($"handle {handle:X8} {command.Buffer:X} {command.Size}");

            // The process that took the handle completes the command, once its partner says it is done; it first
            // says what the buffer holds now as seen from here, so the partner can check it wrote the same memory.
            if (Console.ReadLine() != "done")
            {
                return 3;
            }

            Console.WriteLine($"seen {TestPattern.Checksum(command.Data):X16}");
        }

        Expect(device.CompleteCommand(command, Win32Error.ERROR_SUCCESS, command.Size, 0));
        Console.WriteLine($"completed {command.CommandCode}");
    }

    Console.WriteLine("closed");
    Expect(client.Close());
    return 0;
}

// A hostile server: a real server up to an active device with its agent running, that then writes into the shared
// control segment, through a mapping of its own, whatever stdin says (Hostile). "close" waits for the agent to
// return (it returns once the set aborts), says what it returned, closes the set and exits.
static int ServerHostile(string set, string controlPath)
{
    using var server = new ServerVirtualDeviceSet();
    OpenWhenCreated(server, set);
    ConfigureForBackup(server, buffers: 4);
    Expect(server.OpenDevice(set, out _));

    // The agent starts only after the forgery: its own audit would otherwise find the forged words first, and the
    // test is of what the client finds.
    Console.WriteLine("ready");
    Hostile(controlPath);
    var agent = Task.Factory.StartNew(server.ExecuteCompletionAgent, TaskCreationOptions.LongRunning);

    // Said only now, from this thread, so that no line of the agent's can come between a write and its "wrote".
    Console.WriteLine($"agent {agent.Result} {server.AbortReasonText}");
    Console.WriteLine($"closed {server.Close()}");
    return 0;
}

// A hostile primary client: creates the set, fetches one command, then writes into the shared control segment
// whatever stdin says (Hostile). "close" closes the set and exits.
static int ClientHostile(string set, string controlPath)
{
    using var client = new ClientVirtualDeviceSet();
    Expect(client.CreateEx(null, set, new VdConfig { DeviceCount = 1 }));
    Console.WriteLine("created");
    Expect(client.GetConfiguration(VdiTimeout.Infinite, out _));
    Expect(client.OpenDevice(set, out var device));
    Expect(device!.GetCommand(VdiTimeout.Infinite, out var command));
    Console.WriteLine($"fetched {command!.CommandCode}");
    Hostile(controlPath);
    Console.WriteLine($"closed {client.Close()}");
    return 0;
}

// Reads stdin until "close": "w32 <offset> <value>" and "w64 <offset> <value>" (decimal) write a little-endian word
// into the control segment through this process's own shared mapping of it, then say "wrote".
static void Hostile(string controlPath)
{
    using var file = MemoryMappedFile.CreateFromFile(controlPath, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
    using var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite);
    while (Console.ReadLine() is { } line && line != "close")
    {
        string[] word = line.Split(' ');
        long offset = long.Parse(word[1], CultureInfo.InvariantCulture);
        switch (word[0])
        {
            case "w32":
                view.Write(offset, int.Parse(word[2], CultureInfo.InvariantCulture));
                break;
            case "w64":
                view.Write(offset, long.Parse(word[2], CultureInfo.InvariantCulture));
                break;
            default:
                throw new ArgumentException($"Unknown hostile write {line}");
        }

        view.Flush();
        Console.WriteLine("wrote");
    }
}

// Serves each set with one device: configures it with one buffer, sends one Write filled with pattern seed + i,
// waits for the client to complete it, closes the device, waits for the agent and closes the set. Exit 0 when
// every step of every set succeeded.
static int ServerWrites(int seed, string[] sets)
{
    var servers = new ServerVirtualDeviceSet[sets.Length];
    var devices = new IServerVirtualDevice[sets.Length];
    var agents = new Task<VdiResult>[sets.Length];
    var commands = new VdsCommand[sets.Length];
    using var completions = new CountdownEvent(sets.Length);
    for (int i = 0; i < sets.Length; i++)
    {
        var server = servers[i] = new ServerVirtualDeviceSet();
        OpenWhenCreated(server, sets[i]);
        ConfigureForBackup(server, buffers: 1);
        Expect(server.OpenDevice(sets[i], out var device));
        devices[i] = device!;
        agents[i] = Task.Factory.StartNew(server.ExecuteCompletionAgent, TaskCreationOptions.LongRunning);
        Expect(server.AllocateBuffer(out nint buffer, 65536, 0));
        TestPattern.Fill(seed + i, 0, server.GetBufferSpan(buffer, 65536));
        commands[i] = new VdsCommand { CommandCode = VdCommandCode.VDC_Write, Size = 65536, Buffer = buffer, CompletionRoutine = _ => completions.Signal() };
        Expect(device!.SendCommand(commands[i]));
        Console.WriteLine($"sent {sets[i]}");
    }

    completions.Wait();
    bool ok = true;
    for (int i = 0; i < sets.Length; i++)
    {
        Console.WriteLine($"completed {sets[i]} {commands[i].CompletionCode} {commands[i].BytesTransferred}");
        Expect(devices[i].CloseDevice());
        var agent = agents[i].Result;
        var close = servers[i].Close();
        Console.WriteLine($"closed {sets[i]} {agent} {close}");
        ok &= commands[i].CompletionCode == Win32Error.ERROR_SUCCESS && agent == VdiResult.NOERROR && close == VdiResult.NOERROR;
        servers[i].Dispose();
    }

    Console.WriteLine("done");
    return ok ? 0 : 1;
}

// A secondary client that maps buffer handles: "map <handle hex> <pattern> <size>" answers "mapped NOERROR <address
// hex> <first byte that differs from the pattern, or -1>" or "mapped <result>"; "close" closes it and exits.
static int Mapper(string set)
{
    using var client = new ClientVirtualDeviceSet();
    Expect(client.OpenInSecondaryEx(null, set));
    Console.WriteLine("attached");
    while (Console.ReadLine() is { } line && line != "close")
    {
        string[] word = line.Split(' ');
        uint handle = uint.Parse(word[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var result = client.MapBufferHandle(handle, out nint address);
        if (result != VdiResult.NOERROR)
        {
            Console.WriteLine($"mapped {result} {address:X}");
            continue;
        }

        var bytes = new byte[int.Parse(word[3], CultureInfo.InvariantCulture)];
        Marshal.Copy(address, bytes, 0, bytes.Length);
        Console.WriteLine($"mapped {result} {address:X} {TestPattern.FirstMismatch(int.Parse(word[2], CultureInfo.InvariantCulture), 0, bytes)}");
    }

    Console.WriteLine($"closed {client.Close()}");
    return 0;
}

// The server's Open, polled until the client has created the set (the test starts us around its CreateEx).
static void OpenWhenCreated(ServerVirtualDeviceSet server, string set)
{
    VdiResult open;
    while ((open = server.Open(null, set)) == VdiResult.VD_E_INVALID)
    {
        Thread.Sleep(5);
    }

    Expect(open);
}

// BACKUP's configuration: 512-byte blocks, 64 KiB transfers, that many 64 KiB buffers.
static void ConfigureForBackup(ServerVirtualDeviceSet server, uint buffers)
{
    Expect(server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
    Expect(server.RequestBuffers(65536, 0, buffers));
    Expect(server.EndConfiguration());
}

static void Expect(VdiResult result)
{
    if (result != VdiResult.NOERROR)
    {
        throw new VdiException(result, result.ToString());
    }
}
