namespace OpenVdi;

/// <summary>
/// The rules a <see cref="VdConfig"/> must follow, checked by each side on what it receives: the client's request
/// when CreateEx is called (and again by the server, which reads it from shared memory), and the server's
/// negotiated answer when the client reads it back. A value read from shared memory is never trusted unchecked.
/// </summary>
internal static class VdConfigRules
{
    /// <summary>Client feature bits that choose the device's personality.</summary>
    public const VdFeatures PositioningBits = VdFeatures.VDF_LikeTape | VdFeatures.VDF_RandomAccess;

    /// <summary>Client feature bits that may be added to any personality.</summary>
    public const VdFeatures OptionalBits = VdFeatures.VDF_Discard | VdFeatures.VDF_SnapshotPrepare | VdFeatures.VDF_RequestComplete;

    /// <summary>Feature bits only the server sets.</summary>
    public const VdFeatures ServerBits = VdFeatures.VDF_WriteMedia | VdFeatures.VDF_ReadMedia | VdFeatures.VDF_CompleteEnabled;

    /// <summary>
    /// Whether a client's request is one OpenVdi supports: 1..64 devices, a valid alignment, a prefix zone of at most
    /// 1 MiB, and one of the documented personalities (pipe-like, optionally removable; tape-like; disk-like,
    /// optionally removable), each with any of Discard, SnapshotPrepare and RequestComplete.
    /// </summary>
    public static bool IsSupportedRequest(in VdConfig config)
    {
        if (config.DeviceCount is < 1 or > VdiLimits.MaxDevices
            || !VdiLimits.IsValidAlignment(config.Alignment)
            || config.PrefixZoneSize > VdiLimits.MaxPrefixZoneSize)
        {
            return false;
        }

        var features = config.Features;
        if ((features & ~(PositioningBits | OptionalBits)) != 0)
        {
            return false;
        }

        var positioning = features & PositioningBits;
        return positioning is VdFeatures.VDF_LikePipe or VdFeatures.VDF_Removable or VdFeatures.VDF_LikeTape
            or VdFeatures.VDF_LikeDisk or (VdFeatures.VDF_LikeDisk | VdFeatures.VDF_Removable);
    }

    /// <summary>
    /// Whether the server's features answer the client's request: only bits the client asked for, plus WriteMedia
    /// and/or ReadMedia (at least one), plus CompleteEnabled only if the client asked with RequestComplete.
    /// </summary>
    public static bool IsValidAnswer(VdFeatures requested, VdFeatures answered) =>
        (answered & (VdFeatures.VDF_WriteMedia | VdFeatures.VDF_ReadMedia)) != 0
        && (answered & ~(requested | ServerBits)) == 0
        && ((answered & VdFeatures.VDF_CompleteEnabled) == 0 || (requested & VdFeatures.VDF_RequestComplete) != 0);

    /// <summary>
    /// Whether <paramref name="negotiated"/>, read back from the server, is a configuration the server could have
    /// made from <paramref name="requested"/>: the client's inputs unchanged, a valid answer of features, a valid
    /// BLOCKSIZE and MAXTRANSFERSIZE, an alignment at least the client's and the block size, the documented IO depth.
    /// </summary>
    public static bool IsValidNegotiation(in VdConfig requested, in VdConfig negotiated) =>
        negotiated.DeviceCount == requested.DeviceCount
        && negotiated.PrefixZoneSize == requested.PrefixZoneSize
        && negotiated.SoftFileMarkBlockSize == requested.SoftFileMarkBlockSize
        && negotiated.EOMWarningSize == requested.EOMWarningSize
        && negotiated.ServerTimeOut == requested.ServerTimeOut
        && IsValidAnswer(requested.Features, negotiated.Features)
        && VdiLimits.IsValidBlockSize(negotiated.BlockSize)
        && VdiLimits.IsValidMaxTransferSize(negotiated.MaxTransferSize)
        && VdiLimits.IsValidAlignment(negotiated.Alignment)
        && negotiated.Alignment >= negotiated.BlockSize
        && negotiated.Alignment >= requested.Alignment
        && negotiated.MaxIODepth == VdiLimits.MaxIODepth;
}
