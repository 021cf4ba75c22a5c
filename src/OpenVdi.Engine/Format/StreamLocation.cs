namespace OpenVdi.Engine.Format;

/// <summary>Where in a media set a structure is being read: the family and the stripe offset.</summary>
/// <param name="FamilyNumber">1-based family number, or 0 while the media header is not yet read.</param>
/// <param name="Offset">Byte offset of the structure from the start of the stripe.</param>
internal readonly record struct StreamLocation(int FamilyNumber, long Offset)
{
    /// <summary>Builds the exception for a fault found at this place.</summary>
    public BackupStreamException Fault(BackupStreamError error, string detail) =>
        new(error, FamilyNumber, Offset, detail);
}
