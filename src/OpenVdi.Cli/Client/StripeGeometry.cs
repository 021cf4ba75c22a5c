namespace OpenVdi.Cli.Client;

/// <summary>The geometry of a stored media set, from one stripe's headers.</summary>
/// <param name="BlockSize">The BLOCKSIZE of the backup.</param>
/// <param name="MaxTransferSize">The MAXTRANSFERSIZE of the backup, when its set header could be read.</param>
/// <param name="FamilyCount">How many stripes the media set has.</param>
internal sealed record StripeGeometry(int BlockSize, int? MaxTransferSize, int FamilyCount);
