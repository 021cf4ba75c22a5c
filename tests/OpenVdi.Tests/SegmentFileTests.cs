using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using OpenVdi.Tests.Infrastructure;
using static OpenVdi.VdiResult;

namespace OpenVdi.Tests;

/// <summary>
/// The files behind a set (issue 2, "the peer is untrusted"; docs/transport-layout.md, "Files"): created 0600 unless the
/// creator asks for group access, and always directly in /dev/shm, whatever characters the set's name holds.
/// </summary>
[UnsupportedOSPlatform("windows")]
public class SegmentFileTests
{
    private const string ShmDirectory = "/dev/shm";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerAndGroup = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    [Fact(Timeout = 20000)]
    public async Task A_name_of_256_characters_or_of_any_characters_but_backslash_has_its_control_segment_at_its_path()
    {
        await Task.Yield();
        string unique = SetNames.Unique();
        string[] names = [unique + new string('x', 256 - unique.Length), unique + " {GUID}/..:*?é€", "\u00e9" + unique];
        using (var client = new ClientVirtualDeviceSet())
        {
            foreach (string name in names)
            {
                Assert.Equal(NOERROR, client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }));
                Assert.True(File.Exists(OpenVdi.Transport.SegmentName.ControlPath("MSSQLSERVER", name)), $"No control segment for a set named {name}.");
                using (var server = new ServerVirtualDeviceSet())
                {
                    Assert.Equal(NOERROR, server.Open(null, name));
                }

                Assert.Equal(NOERROR, client.Close());
            }
        }

        Assert.All(names, name => Assert.False(File.Exists(OpenVdi.Transport.SegmentName.ControlPath("MSSQLSERVER", name)), $"The set {name} left its control segment."));
    }

    [Theory(Timeout = 20000)]
    [InlineData("bad name")]
    [InlineData("1startsWithDigit")]
    [InlineData("SEVENTEENCHARSXYZ")]
    [InlineData("MACHINE\\INSTANCE")]
    [InlineData("inst-dash")]
    [InlineData("inst.dot")]
    public async Task CreateEx_with_an_invalid_instance_name_is_VD_E_INSTANCE_NAME(string instance)
    {
        await Task.Yield();
        using var client = new ClientVirtualDeviceSet();
        string name = SetNames.Unique();
        Assert.Equal(VD_E_INSTANCE_NAME, client.CreateEx(instance, name, new VdConfig { DeviceCount = 1 }));
        Assert.Null(client.Name);
        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Theory(Timeout = 20000)]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SQLEXPRESS")]
    [InlineData("_Inst$1#&")]
    public async Task CreateEx_accepts_the_default_and_named_instances(string? instance)
    {
        await Task.Yield();
        string name = SetNames.Unique();
        using (var client = new ClientVirtualDeviceSet())
        {
            Assert.Equal(NOERROR, client.CreateEx(instance, name, new VdConfig { DeviceCount = 1 }));
            using var server = new ServerVirtualDeviceSet();
            Assert.Equal(NOERROR, server.Open(instance, name));
        }

        Assert.Empty(SetNames.SegmentsOf(name));
    }

    [Theory(Timeout = 30000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Segments_are_0600_unless_the_creator_allows_group_access_then_0660(bool allowGroupAccess)
    {
        await Task.Yield();
        var expected = allowGroupAccess ? OwnerAndGroup : OwnerOnly;
        using var set = new Loopback(options: new VirtualDeviceSetOptions { AllowGroupAccess = allowGroupAccess });
        string control = Path.Combine(ShmDirectory, ExpectedFileName(set.Name));

        // The control segment, made by the client at CreateEx.
        set.Created();
        Assert.Equal([control], SetNames.SegmentsOf(set.Name));
        AssertMode(control, expected);

        // The buffer segment of EndConfiguration, and one that a later RequestBuffers makes at once, both by the server.
        Loopback.Expect(set.Server.Open(null, set.Name));
        Loopback.Expect(set.Server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
        Loopback.Expect(set.Server.RequestBuffers(65536, 0, 1));
        Loopback.Expect(set.Server.EndConfiguration());
        Loopback.Expect(set.Client.GetConfiguration(Waits.Prompt, out _));
        Loopback.Expect(set.Server.RequestBuffers(65536, 0, 1));
        Assert.Equal([control, control + ".b0", control + ".b1"], SetNames.SegmentsOf(set.Name).Order(StringComparer.Ordinal));
        AssertMode(control, expected);
        AssertMode(control + ".b0", expected);
        AssertMode(control + ".b1", expected);
    }

    /// <summary>Names that would reach outside /dev/shm, or make odd file names, if used as they are. {t} is a unique token.</summary>
    public static TheoryData<string> AwkwardNames => new()
    {
        "{t}/x",
        "x/../../{t}",
        "../{t}",
        "../../../../tmp/{t}",
        "/tmp/{t}",
        "{t}/..",
        "..{t}",
        ".{t}.",
        "%2e%2e%2f{t}",
        "%{t}%",
        "{t} with spaces\tand\nnewlines",
        "{t}:*?<>|\"'`$(x);&",
        "{t}\u00e9\u4e2d\U0001F600",
        "{t}" + new string('/', 200),
        string.Concat(Enumerable.Repeat("../", 70)) + "{t}",
        new string('.', 224) + "{t}",
    };

    [Theory(Timeout = 30000)]
    [MemberData(nameof(AwkwardNames))]
    public async Task A_set_name_never_makes_a_file_outside_dev_shm_and_the_set_still_works(string template)
    {
        await Task.Yield();
        string token = Guid.NewGuid().ToString("N");
        string name = template.Replace("{t}", token, StringComparison.Ordinal);
        Assert.True(name.Length <= 256, "The test's name is longer than a set name may be.");
        string control = Path.Combine(ShmDirectory, ExpectedFileName(name));
        AssertNothingOutsideShm(token);

        using (var set = new Loopback(name: name).Active(buffers: 2))
        {
            // Exactly the set's two files, directly in /dev/shm, with names a file system takes.
            Assert.Equal([control, control + ".b0"], FilesOfSet(token, control));
            Assert.All(new[] { control, control + ".b0" }, f => Assert.True(Path.GetFileName(f).Length <= 255, $"{f} is longer than a file name may be."));
            AssertNothingOutsideShm(token);

            // And it is a working set under its full name: a secondary finds it, a command goes through, it ends.
            using (var secondary = new ClientVirtualDeviceSet())
            {
                Assert.Equal(NOERROR, secondary.OpenInSecondaryEx(null, name));
                Assert.Equal(name, secondary.Name);
                Assert.Equal(NOERROR, secondary.Close());
            }

            var log = new CompletionLog();
            var write = log.Command(VdCommandCode.VDC_Write, 65536, set.Allocate());
            Assert.Equal(NOERROR, set.ServerDevices[0]!.SendCommand(write));
            Assert.Equal(NOERROR, set.ClientDevices[0]!.GetCommand(Waits.Prompt, out var command));
            Assert.Equal(NOERROR, set.ClientDevices[0]!.CompleteCommand(command!, Win32Error.ERROR_SUCCESS, 65536, 0));
            Assert.Equal(Win32Error.ERROR_SUCCESS, log.WaitFor(write).Code);
            Assert.Equal(NOERROR, set.ServerDevices[0]!.CloseDevice());
            Assert.Equal(VD_E_CLOSE, set.ClientDevices[0]!.GetCommand(Waits.Prompt, out _));
            Assert.Equal(NOERROR, set.AgentResult());
            Assert.Equal(NOERROR, set.Client.Close());
            Assert.Equal(NOERROR, set.Server.Close());
        }

        Assert.Empty(FilesOfSet(token, control));
        AssertNothingOutsideShm(token);
    }

    [Fact(Timeout = 30000)]
    public async Task Names_that_escape_or_hash_alike_are_still_different_sets()
    {
        await Task.Yield();
        string token = Guid.NewGuid().ToString("N");
        string longName = token + new string('/', 200);
        string[] names = [$"{token}/x", $"{token}%2Fx", $"{token}%252Fx", longName + "a", longName + "b"];
        var clients = names.Select(_ => new ClientVirtualDeviceSet()).ToArray();
        try
        {
            foreach (var (client, name) in clients.Zip(names))
            {
                Assert.True(client.CreateEx(null, name, new VdConfig { DeviceCount = 1 }) == NOERROR, $"Creating '{name}' next to the others failed.");
            }

            Assert.Equal(names.Length, names.Select(ExpectedFileName).Distinct().Count());
            Assert.All(names, n => Assert.True(File.Exists(Path.Combine(ShmDirectory, ExpectedFileName(n))), $"No control segment for '{n}'."));

            // A server opening one of them gets that one: its client sees the server, the others do not.
            using var server = new ServerVirtualDeviceSet();
            Assert.Equal(NOERROR, server.Open(null, names[1]));
            Loopback.Expect(server.BeginConfiguration(VdFeatures.VDF_WriteMedia, 512, 0, 65536, 0));
            Loopback.Expect(server.RequestBuffers(65536, 0, 1));
            Loopback.Expect(server.EndConfiguration());
            for (int i = 0; i < names.Length; i++)
            {
                Assert.Equal(i == 1 ? NOERROR : VD_E_TIMEOUT, clients[i].GetConfiguration(VdiTimeout.Poll, out _));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        var left = Directory.GetFiles(ShmDirectory).Where(f => names.Any(n => f.StartsWith(Path.Combine(ShmDirectory, ExpectedFileName(n)), StringComparison.Ordinal))).ToArray();
        Assert.True(left.Length == 0, $"Segments left: {string.Join(", ", left)}");
        AssertNothingOutsideShm(token);
    }

    /// <summary>
    /// The control segment's file name as docs/transport-layout.md gives it: <c>openvdi.MSSQLSERVER.</c>, then the name
    /// with every UTF-8 byte outside <c>[A-Za-z0-9_-]</c> written <c>%XX</c>, or, past 180 characters, <c>~</c> and 48
    /// hex digits of the name's SHA-256.
    /// </summary>
    private static string ExpectedFileName(string name)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        var escaped = new StringBuilder();
        foreach (byte b in utf8)
        {
            escaped.Append(b < 0x80 && (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'-') ? ((char)b).ToString() : $"%{b:X2}");
        }

        return "openvdi.MSSQLSERVER." + (escaped.Length <= 180 ? escaped.ToString() : "~" + Convert.ToHexString(SHA256.HashData(utf8))[..48]);
    }

    /// <summary>The files in /dev/shm that are the set's (by its expected name) or carry its token, sorted.</summary>
    private static string[] FilesOfSet(string token, string control) =>
        Directory.GetFileSystemEntries(ShmDirectory)
            .Where(f => f.Contains(token, StringComparison.Ordinal) || f == control || f.StartsWith(control + ".b", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// No entry carrying the token anywhere a name could lead if it were used as a path: below /dev/shm (only files
    /// directly in it count, and those are checked by name), in /dev, /tmp, / or the working directory.
    /// </summary>
    private static void AssertNothingOutsideShm(string token)
    {
        var nested = Directory.GetDirectories(ShmDirectory).SelectMany(d => SafeEntries(d, SearchOption.AllDirectories));
        string[] outside = ["/dev", "/tmp", "/", Directory.GetCurrentDirectory(), AppContext.BaseDirectory];
        var found = nested.Concat(outside.SelectMany(d => SafeEntries(d, SearchOption.TopDirectoryOnly)))
            .Where(e => e.Contains(token, StringComparison.Ordinal)).ToArray();
        Assert.True(found.Length == 0, $"A set name made entries outside /dev/shm: {string.Join(", ", found)}");
    }

    private static string[] SafeEntries(string directory, SearchOption option)
    {
        try
        {
            return Directory.GetFileSystemEntries(directory, "*", new EnumerationOptions { RecurseSubdirectories = option == SearchOption.AllDirectories, IgnoreInaccessible = true });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static void AssertMode(string path, UnixFileMode expected)
    {
        Assert.True(File.Exists(path), $"{path} does not exist.");
        var mode = File.GetUnixFileMode(path);
        Assert.True(mode == expected, $"{path} has mode {Convert.ToString((int)mode, 8)}, expected {Convert.ToString((int)expected, 8)}.");
    }
}
