using OpenVdi.Engine.Format;

namespace OpenVdi.Cli.Client;

/// <summary>The geometry and kind of a stored media set, from one stripe's headers.</summary>
/// <param name="BlockSize">The BLOCKSIZE of the backup.</param>
/// <param name="MaxTransferSize">The MAXTRANSFERSIZE of the backup, when its set header could be read.</param>
/// <param name="FamilyCount">How many stripes the media set has.</param>
/// <param name="Type">Full, differential or log, when its set header could be read.</param>
internal sealed record StripeGeometry(int BlockSize, int? MaxTransferSize, int FamilyCount, BackupType? Type = null);
