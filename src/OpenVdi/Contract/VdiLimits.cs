namespace OpenVdi;

/// <summary>
/// VDI's limits, in one place: what the documentation allows for BLOCKSIZE, MAXTRANSFERSIZE, devices, IO depth and
/// alignment, and the limits OpenVdi adds where the documentation gives none (docs/decisions.md). The engine, the
/// statement binder, the backup stream format and the tool all check against these.
/// </summary>
public static class VdiLimits
{
    /// <summary>The smallest BLOCKSIZE (bytes).</summary>
    public const int MinBlockSize = 512;

    /// <summary>The largest BLOCKSIZE (bytes).</summary>
    public const int MaxBlockSize = 64 * 1024;

    /// <summary>MAXTRANSFERSIZE is a multiple of this (bytes), and at least this.</summary>
    public const int TransferSizeUnit = 64 * 1024;

    /// <summary>The largest MAXTRANSFERSIZE (bytes).</summary>
    public const int MaxTransferSize = 4 * 1024 * 1024;

    /// <summary>The most devices a set may have (<c>deviceCount</c>).</summary>
    public const int MaxDevices = 64;

    /// <summary>The <c>maxIODepth</c> a server negotiates: the documented value.</summary>
    public const int MaxIODepth = 4;

    /// <summary>The largest buffer alignment: a power of two up to this (bytes).</summary>
    public const int MaxAlignment = 64 * 1024;

    /// <summary>
    /// How many commands may be queued or outstanding on one device at once (OpenVdi's limit; the documentation gives
    /// none): the 129th SendCommand gets VD_E_QUEUE_FULL.
    /// </summary>
    public const int MaxCommandsPerDevice = 128;

    /// <summary>The largest prefix zone a client may ask for (OpenVdi's limit; the documentation gives none).</summary>
    public const int MaxPrefixZoneSize = 1024 * 1024;

    /// <summary>Whether <paramref name="blockSize"/> is a power of two from <see cref="MinBlockSize"/> to <see cref="MaxBlockSize"/>.</summary>
    public static bool IsValidBlockSize(long blockSize) => blockSize is >= MinBlockSize and <= MaxBlockSize && IsPowerOfTwo(blockSize);

    /// <summary>Whether <paramref name="maxTransferSize"/> is a multiple of 64 KiB from 64 KiB to 4 MiB.</summary>
    public static bool IsValidMaxTransferSize(long maxTransferSize) =>
        maxTransferSize is >= TransferSizeUnit and <= MaxTransferSize && maxTransferSize % TransferSizeUnit == 0;

    /// <summary>Whether <paramref name="alignment"/> is 0 (none asked) or a power of two up to <see cref="MaxAlignment"/>.</summary>
    public static bool IsValidAlignment(long alignment) => alignment == 0 || (alignment <= MaxAlignment && IsPowerOfTwo(alignment));

    private static bool IsPowerOfTwo(long value) => value > 0 && (value & (value - 1)) == 0;
}
