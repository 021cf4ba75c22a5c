using System.Buffers.Binary;

namespace OpenVdi.Transport;

/// <summary>
/// Removes what sets whose processes all ended left in the segment directory. A control segment is stale when no
/// process holds its primary or server liveness lock (the kernel drops them however a process ends) and it was
/// initialised, or is older than <see cref="CreationGrace"/> (a creator takes its lock a moment after the file
/// appears). With it go the buffer segments of the same name that belong to it (same incarnation), or that are old.
/// A buffer segment with no control segment at all is removed once it is old, and so is a staging file (a control
/// segment being made under another name) that no creator holds. Creating a set sweeps, so that a
/// process killed before its Close (or a whole set killed at once) leaves nothing for long.
/// </summary>
internal static unsafe class StaleSegments
{
    /// <summary>How long a file that is not (yet) initialised is left alone: it may be a set being created right now.</summary>
    public static readonly TimeSpan CreationGrace = TimeSpan.FromSeconds(10);

    /// <summary>Sweeps the whole segment directory; best effort, never throws.</summary>
    public static void Sweep()
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(SegmentName.Directory, SegmentName.Prefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (string file in files)
        {
            switch (SegmentName.Classify(file, out string controlPath))
            {
                case SegmentFileKind.Control:
                    TryReclaim(file);
                    break;
                case SegmentFileKind.Buffer when !File.Exists(controlPath) && IsOld(file):
                    Posix.Unlink(file);
                    break;
                case SegmentFileKind.Staging when IsOld(file):
                    // A creator holds its staging file's lock for the moment it initialises it; one old and unheld was
                    // left by a creator killed in that moment.
                    TryReclaim(file);
                    break;
            }
        }
    }

    /// <summary>
    /// Removes the set whose control segment is at <paramref name="path"/> if it is stale. True when the path is free
    /// afterwards (removed now, or gone already); false when a live process holds the set, or when it may be a set
    /// being created.
    /// </summary>
    public static bool TryReclaim(string path)
    {
        int fd = Posix.Open(path, Posix.O_RDWR | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
        if (fd < 0)
        {
            // Gone in the meantime (or not ours to open).
            return Posix.LastError == Posix.ENOENT;
        }

        try
        {
            if (LivenessLock.IsHeld(fd, LivenessLock.PrimaryByte) || LivenessLock.IsHeld(fd, LivenessLock.ServerByte))
            {
                return false;
            }

            bool initialised = ReadWord(fd, ControlSegmentDescriptor.LayoutVersionOffset, sizeof(int)) != 0;
            if (!initialised && !IsOld(path))
            {
                return false;
            }

            long incarnation = initialised ? ReadWord(fd, ControlSegmentDescriptor.IncarnationOffset, sizeof(long)) : 0;
            for (int k = 0; k < ControlSegmentDescriptor.MaxBufferSegments; k++)
            {
                string buffer = SegmentName.BufferPath(path, k);
                if ((initialised && IncarnationOf(buffer) == incarnation) || IsOld(buffer))
                {
                    Posix.Unlink(buffer);
                }
            }

            FileIdentity.UnlinkIfSame(path, FileIdentity.Of(fd));
            return true;
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    private static bool IsOld(string path)
    {
        var written = File.GetLastWriteTimeUtc(path);

        // A file that is gone answers the year 1601: old, and unlinking it again is harmless.
        return DateTime.UtcNow - written >= CreationGrace;
    }

    private static long? IncarnationOf(string bufferPath)
    {
        int fd = Posix.Open(bufferPath, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            return ReadWord(fd, BufferAreaDescriptor.IncarnationOffset, sizeof(long));
        }
        finally
        {
            Posix.Close(fd);
        }
    }

    /// <summary>A little-endian word of the file at <paramref name="offset"/>; 0 when the file is shorter.</summary>
    private static long ReadWord(int fd, long offset, int size)
    {
        byte* bytes = stackalloc byte[sizeof(long)];

        // SAFETY: pread writes at most `size` (<= 8) bytes into the 8-byte stack buffer.
        if (Posix.Pread(fd, bytes, (nuint)size, offset) != size)
        {
            return 0;
        }

        var span = new ReadOnlySpan<byte>(bytes, size);
        return size == sizeof(long) ? BinaryPrimitives.ReadInt64LittleEndian(span) : BinaryPrimitives.ReadInt32LittleEndian(span);
    }
}
