using System.Globalization;
using System.Net.Sockets;

namespace OpenVdi.Engine.FrontDoor.Internal;

/// <summary>
/// The daemon's socket file and its directory: a directory only the owner can write (created 0700, or 0710 owned by
/// the allowed group so its members can reach the socket), a socket file 0600 (0660 with a group), a stale socket of
/// a dead daemon replaced, a live one left alone.
/// </summary>
internal sealed class SocketFile
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupDirectory = OwnerOnlyDirectory | UnixFileMode.GroupExecute;
    private const UnixFileMode OwnerOnlySocket = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupSocket = OwnerOnlySocket | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const int WritableByOthers = 0x12; // S_IWGRP | S_IWOTH

    private readonly uint _owner;
    private readonly uint? _group;
    private ulong _inode;
    private uint _deviceMajor;
    private uint _deviceMinor;

    public SocketFile(string path, uint owner, uint? group)
    {
        Path = path;
        _owner = owner;
        _group = group;
    }

    public string Path { get; }

    /// <summary>The mode the socket file gets.</summary>
    public UnixFileMode SocketMode => _group is null ? OwnerOnlySocket : GroupSocket;

    /// <summary>Makes the directory safe, clears a stale socket, binds and listens.</summary>
    /// <exception cref="IOException">The directory or the file cannot be used; the message says why.</exception>
    public Socket BindAndListen(int backlog, Action<string> log)
    {
        PrepareDirectory(log);
        ClearStaleSocket(log);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(Path));

            // The directory admits no one else yet, so nobody can reach the file before its mode is set.
            SetMode(Path, SocketMode);
            if (_group is { } gid)
            {
                CheckErrno(UnixNative.ChangeGroup(Path, gid), $"give the socket '{Path}' to group {gid}");
            }

            CheckErrno(UnixNative.StatNoFollow(Path, out var status), $"read back the socket '{Path}'");
            (_inode, _deviceMajor, _deviceMinor) = (status.Inode, status.DeviceMajor, status.DeviceMinor);
            listener.Listen(backlog);
            return listener;
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"Cannot listen on '{Path}': {e.Message}.", e);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Deletes the socket file if it is still the one this daemon bound (a successor's is left alone).</summary>
    public void Remove()
    {
        if (_inode != 0 && UnixNative.StatNoFollow(Path, out var status) == 0
            && status.Inode == _inode && status.DeviceMajor == _deviceMajor && status.DeviceMinor == _deviceMinor)
        {
            File.Delete(Path);
        }
    }

    private void PrepareDirectory(Action<string> log)
    {
        string directory = System.IO.Path.GetDirectoryName(Path) ?? throw new IOException($"'{Path}' has no directory.");
        bool managed = directory == System.IO.Path.GetDirectoryName(EngineSocketPath.Default);
        if (!Directory.Exists(directory))
        {
            string? parent = System.IO.Path.GetDirectoryName(directory);
            if (parent is null || !Directory.Exists(parent))
            {
                throw new IOException($"Cannot create the socket directory '{directory}': '{parent}' does not exist.");
            }

            CreateDirectory(directory, OwnerOnlyDirectory);
            managed = true;
        }

        int errno = UnixNative.StatNoFollow(directory, out var status);
        CheckErrno(errno, $"examine the socket directory '{directory}'");
        if ((status.Mode & UnixNative.FileTypeMask) != UnixNative.TypeDirectory)
        {
            throw new IOException($"'{directory}' is not a directory (a symbolic link is refused): refusing to put the engine's socket there.");
        }

        if (status.Uid != _owner)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"The socket directory '{directory}' belongs to uid {status.Uid}, not to uid {_owner} who runs the engine: refusing to put the socket where someone else controls it."));
        }

        if (managed)
        {
            // The daemon's own directory: exactly the mode it needs, whatever was there before.
            if (_group is { } gid)
            {
                CheckErrno(UnixNative.ChangeGroup(directory, gid), $"give the socket directory '{directory}' to group {gid}");
                SetMode(directory, GroupDirectory);
            }
            else
            {
                SetMode(directory, OwnerOnlyDirectory);
            }
        }
        else if ((status.Mode & WritableByOthers) != 0)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"The socket directory '{directory}' is writable by other users (mode {Convert.ToString(status.Mode & 0xFFF, 8)}): someone else could replace the socket. Use a directory only you can write."));
        }
        else if (_group is not null && (status.Mode & 0x8) == 0)
        {
            log($"warning: group members cannot reach '{directory}' (mode {Convert.ToString(status.Mode & 0xFFF, 8)}); give the group search permission on it.");
        }
    }

    private void ClearStaleSocket(Action<string> log)
    {
        int errno = UnixNative.StatNoFollow(Path, out var status);
        if (errno == UnixNative.ENOENT)
        {
            return;
        }

        CheckErrno(errno, $"examine '{Path}'");
        if ((status.Mode & UnixNative.FileTypeMask) != UnixNative.TypeSocket)
        {
            throw new IOException($"'{Path}' exists and is not a socket: refusing to replace it.");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(Path));
                throw new IOException($"Another engine is already listening on '{Path}'.");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // Nobody listens: the socket of a daemon that died.
            }
        }

        log($"removing the stale socket '{Path}' of an engine that is no longer running");
        File.Delete(Path);
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotOnWindows();
        }

        File.SetUnixFileMode(path, mode);
    }

    private static void CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotOnWindows();
        }

        Directory.CreateDirectory(path, mode);
    }

    private static PlatformNotSupportedException NotOnWindows() => new("The engine daemon runs on Linux and other Unix systems.");

    private static void CheckErrno(int errno, string what)
    {
        if (errno != 0)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"Cannot {what}: {new System.ComponentModel.Win32Exception(errno).Message} (errno {errno})."));
        }
    }
}
