namespace OpenVdi.Transport;

/// <summary>
/// A file under /dev/shm mapped shared into this process. The mapping's base is aligned to
/// <see cref="MappingAlignment"/> in every process, so buffer alignments up to that value hold everywhere.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    /// <summary>The alignment of every mapping's base address: the largest buffer alignment VDI allows (64 KiB).</summary>
    public const int MappingAlignment = 64 * 1024;

    private nint _address;
    private int _fd;

    private MappedFile(string path, int fd, nint address, long length, FileIdentity identity)
    {
        Path = path;
        Identity = identity;
        _fd = fd;
        _address = address;
        Region = new SharedRegion((byte*)address, length);
    }

    public string Path { get; private set; }

    /// <summary>The identity of the mapped file, for removing exactly this file later.</summary>
    public FileIdentity Identity { get; }

    public SharedRegion Region { get; private set; }

    /// <summary>The open file descriptor, kept when the caller needs it for locks; -1 once closed.</summary>
    public int FileDescriptor => _fd;

    /// <summary>Creates the file exclusively (O_EXCL, never following a link), sizes it and maps it.</summary>
    public static VdiResult TryCreate(string path, long length, int mode, bool keepDescriptor, out MappedFile? file, out int errno)
    {
        file = null;
        int fd = Posix.Open(path, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, mode);
        if (fd < 0)
        {
            errno = Posix.LastError;
            return errno switch
            {
                Posix.EEXIST => VdiResult.VD_E_BUSY,
                Posix.EACCES => VdiResult.VD_E_SECURITY,
                _ => VdiResult.VD_E_MEMORY,
            };
        }

        // fchmod sets the mode exactly: the process umask must not strip the group bits a caller asked for.
        // posix_fallocate reserves every page: a full /dev/shm fails here, not as a SIGBUS on first touch.
        if (Posix.Fchmod(fd, mode) != 0 || Posix.Ftruncate(fd, length) != 0 || Posix.Fallocate(fd, 0, length) != 0)
        {
            errno = Posix.LastError;
            Posix.Close(fd);
            Posix.Unlink(path);
            return VdiResult.VD_E_MEMORY;
        }

        var result = TryMap(path, fd, length, keepDescriptor, out file, out errno);
        if (result != VdiResult.NOERROR)
        {
            Posix.Unlink(path);
        }

        return result;
    }

    /// <summary>Opens an existing file (never through a link) and maps all of it, after checking its size.</summary>
    public static VdiResult TryOpen(string path, long minLength, long maxLength, bool keepDescriptor, out MappedFile? file, out int errno)
    {
        file = null;
        int fd = Posix.Open(path, Posix.O_RDWR | Posix.O_NOFOLLOW | Posix.O_CLOEXEC, 0);
        if (fd < 0)
        {
            errno = Posix.LastError;
            return errno == Posix.EACCES ? VdiResult.VD_E_SECURITY : VdiResult.VD_E_INVALID;
        }

        long length = Posix.Lseek(fd, 0, Posix.SEEK_END);
        if (length < minLength || length > maxLength)
        {
            errno = 0;
            Posix.Close(fd);
            return VdiResult.VD_E_UNEXPECTED;
        }

        return TryMap(path, fd, length, keepDescriptor, out file, out errno);
    }

    private static VdiResult TryMap(string path, int fd, long length, bool keepDescriptor, out MappedFile? file, out int errno)
    {
        file = null;
        nuint reserve = (nuint)(length + MappingAlignment);

        // Reserve address space with room to slide, then map the file at the first aligned address inside it.
        nint reservation = Posix.Mmap(0, reserve, Posix.PROT_NONE, Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_NORESERVE, -1, 0);
        if (reservation == Posix.MapFailed)
        {
            errno = Posix.LastError;
            Posix.Close(fd);
            return VdiResult.VD_E_MEMORY;
        }

        nint aligned = (reservation + MappingAlignment - 1) & ~(nint)(MappingAlignment - 1);
        nint mapped = Posix.Mmap(aligned, (nuint)length, Posix.PROT_READ | Posix.PROT_WRITE, Posix.MAP_SHARED | Posix.MAP_FIXED, fd, 0);
        if (mapped == Posix.MapFailed)
        {
            errno = Posix.LastError;
            Posix.Munmap(reservation, reserve);
            Posix.Close(fd);
            return VdiResult.VD_E_MEMORY;
        }

        // Give back the unused head and tail of the reservation.
        if (aligned > reservation)
        {
            Posix.Munmap(reservation, (nuint)(aligned - reservation));
        }

        nint end = aligned + (nint)length;
        nint reservationEnd = reservation + (nint)reserve;
        nint tail = (end + Environment.SystemPageSize - 1) & ~(nint)(Environment.SystemPageSize - 1);
        if (reservationEnd > tail)
        {
            Posix.Munmap(tail, (nuint)(reservationEnd - tail));
        }

        var identity = FileIdentity.Of(fd);
        if (!keepDescriptor)
        {
            Posix.Close(fd);
            fd = -1;
        }

        errno = 0;
        file = new MappedFile(path, fd, mapped, length, identity);
        return VdiResult.NOERROR;
    }

    /// <summary>
    /// Faults every page in now, so that the first touch of a buffer on the hot path costs nothing. Best effort:
    /// kernels without MADV_POPULATE_WRITE fall back to one write per page.
    /// </summary>
    public void Prefault(long offset, long length)
    {
        var region = Region;
        if (length <= 0 || region.IsEmpty)
        {
            return;
        }

        if (Posix.Madvise(region.BaseAddress + (nint)offset, (nuint)length, Posix.MADV_POPULATE_WRITE) == 0)
        {
            return;
        }

        int page = Environment.SystemPageSize;
        for (long p = offset; p < offset + length; p += page)
        {
            // Interlocked add of zero dirties the page without changing what a peer may have written.
            region.Int32(p & ~3L).Add(0);
        }
    }

    /// <summary>Removes the file if the path still names it.</summary>
    public void Unlink() => FileIdentity.UnlinkIfSame(Path, Identity);

    /// <summary>
    /// Gives the file the name <paramref name="path"/> in one atomic step, unless a file has that name already
    /// (renameat2 with RENAME_NOREPLACE). Returns 0, or the errno (EEXIST when the name is taken).
    /// </summary>
    public int TryMoveTo(string path)
    {
        if (Posix.RenameAt2(Posix.AT_FDCWD, Path, Posix.AT_FDCWD, path, Posix.RENAME_NOREPLACE) != 0)
        {
            return Posix.LastError;
        }

        Path = path;
        return 0;
    }

    public void Dispose()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
        {
            Posix.Munmap(address, (nuint)Region.Length);
            Region = default;
        }

        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Posix.Close(fd);
        }
    }
}
