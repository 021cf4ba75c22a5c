namespace OpenVdi.Engine.Format;

/// <summary>
/// One stripe of a media set being restored or verified: a <see cref="StripeReader"/> whose items are
/// checked against the other stripes by its <see cref="MediaSetAssembler"/> and whose payload goes to the
/// assembler's sink. Created by <see cref="MediaSetAssembler.OpenStripe"/>; driven by one thread at a time.
/// </summary>
public sealed class MediaSetStripe
{
    private readonly MediaSetAssembler _owner;
    private readonly StripeReader _reader;
    private readonly Visitor _visitor;

    internal MediaSetStripe(MediaSetAssembler owner, StripeReader reader)
    {
        _owner = owner;
        _reader = reader;
        _visitor = new Visitor(this);
    }

    /// <summary>The family number; 0 until the media header has been read.</summary>
    public int FamilyNumber => _reader.FamilyNumber;

    /// <summary>True once the stripe's trailer has been read: the device need not be read further.</summary>
    public bool IsComplete => _reader.IsComplete;

    /// <summary>Bytes of the stripe consumed so far.</summary>
    public long Position => _reader.Position;

    /// <summary>The stripe's media header, once read.</summary>
    public MediaHeader? MediaHeader => _reader.MediaHeader;

    /// <summary>
    /// Consumes the next bytes the device returned; every data block they complete is verified and
    /// written to the sink before this returns.
    /// </summary>
    /// <param name="chunk">The bytes of a completed VDC_Read, of any length.</param>
    /// <exception cref="BackupStreamException">The stripe is corrupt, or does not belong with the others.</exception>
    /// <exception cref="IOException">The sink could not write.</exception>
    public void Consume(ReadOnlySpan<byte> chunk)
    {
        try
        {
            _reader.Consume(chunk, _visitor);
        }
        catch (Exception e) when (_owner.RecordFault(e))
        {
            // Never reached: the filter records the first failure and lets the exception pass unchanged.
        }
    }

    /// <summary>Declares the end of the device's data; the stripe must have reached its trailer.</summary>
    /// <exception cref="BackupStreamException">The stripe is truncated.</exception>
    public void Complete()
    {
        try
        {
            _reader.Complete();
        }
        catch (Exception e) when (_owner.RecordFault(e))
        {
            // Never reached, as above.
        }
    }

    /// <summary>Forwards the reader's items to the assembler (kept private so only the reader can call it).</summary>
    private sealed class Visitor(MediaSetStripe stripe) : IStripeVisitor
    {
        public void OnMediaHeader(MediaHeader header) => stripe._owner.AcceptMediaHeader(header);

        public void OnBackupSetHeader(BackupSetHeader header) => stripe._owner.AcceptSetHeader(stripe._reader, header);

        public void OnDataBlock(in DataBlockHeader block, ReadOnlySpan<byte> payload) =>
            stripe._owner.AcceptBlock(block)?.WriteBlock(block.FileIndex, block.FileOffset, payload);

        public void OnTrailer(StripeTrailer trailer) => stripe._owner.AcceptTrailer(trailer);
    }
}
