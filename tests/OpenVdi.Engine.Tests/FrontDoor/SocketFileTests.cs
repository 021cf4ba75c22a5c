using System.Net.Sockets;
using OpenVdi.Engine.FrontDoor;
using OpenVdi.Engine.FrontDoor.Internal;
using OpenVdi.Engine.Tests.FrontDoor.Infrastructure;

namespace OpenVdi.Engine.Tests.FrontDoor;

/// <summary>The socket file and its directory admit only whom the daemon serves, and a dead daemon's socket is replaced.</summary>
public sealed class SocketFileTests
{
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Rwx = Rw | UnixFileMode.UserExecute;

    private static UnixFileMode Mode(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException() : File.GetUnixFileMode(path);

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }

        File.SetUnixFileMode(path, mode);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_socket_is_0600()
    {
        await using var harness = DaemonHarness.Start(ScriptedEngine.Sending());

        Assert.Equal(Rw, Mode(harness.SocketPath));
    }

    [Fact(Timeout = 30_000)]
    public async Task With_a_group_the_socket_is_0660_and_a_directory_it_makes_0710_both_of_that_group()
    {
        uint gid = UnixNative.EffectiveGroupId();
        string root = Directory.CreateTempSubdirectory("ovdi-fd-").FullName;
        try
        {
            string directory = Path.Combine(root, "run");
            var daemon = new EngineDaemon(ScriptedEngine.Sending(), new EngineDaemonOptions
            {
                SocketPath = Path.Combine(directory, "engine.sock"),
                Group = gid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            daemon.Start();
            try
            {
                Assert.Equal(Rw | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, Mode(daemon.SocketPath));
                Assert.Equal(Rwx | UnixFileMode.GroupExecute, Mode(directory));
                Assert.Equal(0, UnixNative.StatNoFollow(daemon.SocketPath, out var socket));
                Assert.Equal(gid, socket.Gid);
                Assert.Equal(gid, daemon.Policy.GroupId);
            }
            finally
            {
                await daemon.StopAsync().WaitAsync(DaemonHarness.Limit);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_directory_the_daemon_makes_is_0700()
    {
        string root = Directory.CreateTempSubdirectory("ovdi-fd-").FullName;
        try
        {
            string directory = Path.Combine(root, "run");
            var daemon = new EngineDaemon(ScriptedEngine.Sending(), new EngineDaemonOptions { SocketPath = Path.Combine(directory, "engine.sock") });
            daemon.Start();
            await daemon.StopAsync().WaitAsync(DaemonHarness.Limit);

            Assert.Equal(Rwx, Mode(directory));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_directory_others_can_write_is_refused()
    {
        string directory = Directory.CreateTempSubdirectory("ovdi-fd-").FullName;
        try
        {
            SetMode(directory, Rwx | UnixFileMode.GroupWrite | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
            var daemon = new EngineDaemon(ScriptedEngine.Sending(), new EngineDaemonOptions { SocketPath = Path.Combine(directory, "engine.sock") });

            var e = Assert.Throws<IOException>(daemon.Start);

            Assert.Contains("writable by other users (mode 777)", e.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(directory, "engine.sock")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_symbolic_link_in_place_of_the_directory_is_refused()
    {
        string root = Directory.CreateTempSubdirectory("ovdi-fd-").FullName;
        try
        {
            string target = Directory.CreateDirectory(Path.Combine(root, "elsewhere")).FullName;
            string link = Path.Combine(root, "link");
            Directory.CreateSymbolicLink(link, target);
            var daemon = new EngineDaemon(ScriptedEngine.Sending(), new EngineDaemonOptions { SocketPath = Path.Combine(link, "engine.sock") });

            var e = Assert.Throws<IOException>(daemon.Start);

            Assert.Contains("is not a directory", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_stale_socket_of_a_dead_daemon_is_replaced()
    {
        string directory = Directory.CreateTempSubdirectory("ovdi-fd-").FullName;
        try
        {
            string path = Path.Combine(directory, "engine.sock");
            using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                // .NET unlinks the file of a bound socket it disposes; a daemon killed with SIGKILL does not. Moving
                // the file away from the path .NET remembers leaves it behind, as the killed daemon would.
                string elsewhere = Path.Combine(directory, "dead.sock");
                dead.Bind(new UnixDomainSocketEndPoint(elsewhere));
                File.Move(elsewhere, path);
            }

            var log = new StringWriter();
            var daemon = new EngineDaemon(ScriptedEngine.Sending(), new EngineDaemonOptions { SocketPath = path, Logger = new TextWriterLogger(log) });
            daemon.Start();
            var outcome = await new EngineClient(path).ExecuteAsync("BACKUP …").WaitAsync(DaemonHarness.Limit);
            await daemon.StopAsync().WaitAsync(DaemonHarness.Limit);

            Assert.True(outcome.Succeeded);
            Assert.Contains("removing the stale socket", log.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_second_daemon_on_a_live_socket_is_refused_and_leaves_it_alone()
    {
        await using var harness = DaemonHarness.Start(ScriptedEngine.Sending());
        var second = new EngineDaemon(ScriptedEngine.Sending(), new EngineDaemonOptions { SocketPath = harness.SocketPath });

        var e = Assert.Throws<IOException>(second.Start);
        await second.StopAsync();

        Assert.Contains("Another engine is already listening", e.Message, StringComparison.Ordinal);
        Assert.True((await harness.Client().ExecuteAsync("BACKUP …").WaitAsync(DaemonHarness.Limit)).Succeeded);
    }

    [Fact]
    public void A_file_that_is_not_a_socket_is_not_replaced()
    {
        string directory = Directory.CreateTempSubdirectory("ovdi-fd-").FullName;
        try
        {
            string path = Path.Combine(directory, "engine.sock");
            File.WriteAllText(path, "precious");
            var daemon = new EngineDaemon(ScriptedEngine.Sending(), new EngineDaemonOptions { SocketPath = path });

            var e = Assert.Throws<IOException>(daemon.Start);

            Assert.Contains("is not a socket", e.Message, StringComparison.Ordinal);
            Assert.Equal("precious", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void The_default_path_is_in_the_runtime_directory_or_a_per_user_directory_in_tmp()
    {
        string runtime = Directory.CreateTempSubdirectory("ovdi-fd-").FullName;
        try
        {
            Assert.Equal(Path.Combine(runtime, "openvdi", "engine.sock"), EngineSocketPath.For(runtime, 1000));
            Assert.Equal("/tmp/openvdi-1000/engine.sock", EngineSocketPath.For(null, 1000));
            Assert.Equal("/tmp/openvdi-1000/engine.sock", EngineSocketPath.For("relative/dir", 1000));
            Assert.Equal("/tmp/openvdi-1000/engine.sock", EngineSocketPath.For(Path.Combine(runtime, "missing"), 1000));
        }
        finally
        {
            Directory.Delete(runtime, recursive: true);
        }
    }

    [Fact]
    public void A_socket_path_too_long_for_the_kernel_is_refused_with_the_limit() =>
        Assert.Contains("107 bytes", Assert.Throws<ArgumentException>(() => EngineSocketPath.Resolve("/tmp/" + new string('x', 120))).Message, StringComparison.Ordinal);
}
