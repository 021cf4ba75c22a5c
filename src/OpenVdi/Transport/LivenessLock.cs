namespace OpenVdi.Transport;

/// <summary>
/// Process liveness through open-file-description locks on single bytes of the control segment's file. A party
/// holds a write lock on its own byte for as long as it is attached; the kernel drops the lock when the process
/// dies, whatever the cause, so a probe that finds the byte unlocked knows the holder is gone (immune to pid reuse).
/// </summary>
internal static unsafe class LivenessLock
{
    /// <summary>The byte the primary client locks.</summary>
    public const long PrimaryByte = 0;

    /// <summary>The byte the server locks.</summary>
    public const long ServerByte = 1;

    /// <summary>Takes the write lock on <paramref name="lockByte"/> through <paramref name="fd"/>; false if another holds it.</summary>
    public static bool TryAcquire(int fd, long lockByte)
    {
        var info = new Posix.Flock { Type = Posix.F_WRLCK, Whence = Posix.SEEK_SET, Start = lockByte, Length = 1, Pid = 0 };
        return Posix.FcntlLock(fd, Posix.F_OFD_SETLK, &info) == 0;
    }

    /// <summary>
    /// Whether some other open file description holds a lock on <paramref name="lockByte"/>. The probe must use a
    /// descriptor of its own: a description never conflicts with itself.
    /// </summary>
    public static bool IsHeld(int fd, long lockByte)
    {
        var info = new Posix.Flock { Type = Posix.F_WRLCK, Whence = Posix.SEEK_SET, Start = lockByte, Length = 1, Pid = 0 };
        if (Posix.FcntlLock(fd, Posix.F_OFD_GETLK, &info) != 0)
        {
            // A failing probe proves nothing; treat the holder as alive rather than abort a healthy set.
            return true;
        }

        return info.Type != Posix.F_UNLCK;
    }
}
