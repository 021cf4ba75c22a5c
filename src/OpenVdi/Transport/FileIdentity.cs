namespace OpenVdi.Transport;

/// <summary>
/// A file's identity (device and inode), read with statx. Segments are removed only when the file at the path is
/// the very file this process created or mapped: a newer set that reused the name is left alone, and a peer cannot
/// forge an identity the way it could forge a header.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    public bool IsKnown => Inode != 0;

    /// <summary>The identity of the open file <paramref name="fd"/>; default when it cannot be read.</summary>
    public static FileIdentity Of(int fd) => Read(fd, string.Empty, Posix.AT_EMPTY_PATH);

    /// <summary>The identity of the file at <paramref name="path"/> (never following a link); default when there is none.</summary>
    public static FileIdentity OfPath(string path) => Read(Posix.AT_FDCWD, path, Posix.AT_SYMLINK_NOFOLLOW);

    private static FileIdentity Read(int dirfd, string path, int flags)
    {
        if (Posix.Statx(dirfd, path, flags, Posix.STATX_INO, out var status) != 0)
        {
            return default;
        }

        return new FileIdentity(((ulong)status.DeviceMajor << 32) | status.DeviceMinor, status.Inode);
    }

    /// <summary>Removes <paramref name="path"/> if it is still the file <paramref name="identity"/> names.</summary>
    public static void UnlinkIfSame(string path, FileIdentity identity)
    {
        if (identity.IsKnown && OfPath(path) == identity)
        {
            Posix.Unlink(path);
        }
    }
}
