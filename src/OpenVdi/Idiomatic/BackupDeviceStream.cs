namespace OpenVdi;

/// <summary>
/// A BACKUP device as a readable <see cref="Stream"/>: the bytes of the server's VDC_Write commands, in order, read
/// in place from the shared buffers. <see cref="Read(Span{byte})"/> returns 0 at the device's end (VD_E_CLOSE).
/// </summary>
/// <remarks>
/// <para>
/// Commands are answered as the stream meets them: a VDC_Write is held while its bytes are read, and completed
/// (ERROR_SUCCESS, all bytes) when the reader comes back for more after taking its last byte, or at
/// <see cref="Dispose(bool)"/>. So a failure met while storing bytes already read (a full disk) can still be reported
/// on the command that carried them, with <see cref="Fail"/>. Under <see cref="Read(Span{byte})"/>, VDC_Flush and
/// VDC_ClearError complete with ERROR_SUCCESS at once (every earlier byte has been handed to the reader by then), as
/// does VDC_Complete when it is reached; any other command completes with ERROR_NOT_SUPPORTED. The copies
/// (<see cref="CopyToAsync(Stream, int, CancellationToken)"/>, the device loop the tool uses) complete VDC_Flush and
/// VDC_Complete only once the destination is durable, and report the destination's failures to the server.
/// </para>
/// <para>
/// Copies: <see cref="Read(Span{byte})"/> copies once, from the shared buffer into the caller's buffer, as the
/// <see cref="Stream"/> contract implies. <see cref="CopyTo(Stream, int)"/> and
/// <see cref="CopyToAsync(Stream, int, CancellationToken)"/> hand the shared buffer itself to the destination's
/// Write, with no intermediate buffer. A read returns bytes of one command at most.
/// </para>
/// <para>
/// The stream is not thread-safe, as streams are not; it drives its device, which must not be fetched from by
/// anyone else meanwhile. Waiting reads block (synchronous) or wait as <see cref="VirtualDevice.GetCommandAsync"/>
/// does (asynchronous). An abort surfaces as <see cref="VdiException"/> with VD_E_ABORT.
/// </para>
/// </remarks>
public sealed class BackupDeviceStream : Stream
{
    private readonly VirtualDevice _device;
    private DeviceCommand _held;
    private bool _holding;
    private int _offset;
    private bool _ended;
    private bool _disposed;
    private long _bytesRead;

    /// <summary>Reads the VDC_Write data of <paramref name="device"/>, an opened device of a BACKUP.</summary>
    /// <param name="device">The device; the stream answers all its commands from now on.</param>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    public BackupDeviceStream(VirtualDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
    }

    /// <summary>The device the stream reads.</summary>
    public VirtualDevice Device => _device;

    /// <summary>Whether the device has ended (a read returned 0 at VD_E_CLOSE).</summary>
    public bool HasEnded => _ended;

    /// <summary>Bytes handed to the reader so far.</summary>
    public long BytesRead => _bytesRead;

    /// <inheritdoc/>
    public override bool CanRead => !_disposed;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <summary>Not supported: the length of a backup is not known until its end.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Length => ThrowHelper.ThrowNotSupported<long>();

    /// <summary>Not supported (see <see cref="BytesRead"/>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Position
    {
        get => ThrowHelper.ThrowNotSupported<long>();
        set => ThrowHelper.ThrowNotSupported();
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes of the current VDC_Write, waiting for the next one if needed.</summary>
    /// <param name="buffer">Where to copy the bytes.</param>
    /// <returns>The number of bytes copied (from one command at most); 0 at the device's end, or for an empty buffer.</returns>
    /// <exception cref="VdiException">VD_E_ABORT when the set aborted; VD_E_PROTOCOL or VD_E_UNEXPECTED as <see cref="VirtualDevice.GetCommandAsync"/>.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    public override int Read(Span<byte> buffer)
    {
        ThrowIfDisposed();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        int copied;
        while (!TryTakeHeld(buffer, out copied))
        {
            if (_ended || !_device.TryGetCommandCore(VdiTimeout.Infinite, out var command))
            {
                _ended = true;
                return 0;
            }

            Accept(command);
        }

        return copied;
    }

    /// <inheritdoc cref="Read(Span{byte})"/>
    /// <param name="buffer">Where to copy the bytes.</param>
    /// <param name="offset">The first index of <paramref name="buffer"/> to fill.</param>
    /// <param name="count">The most bytes to copy.</param>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc cref="Read(Span{byte})"/>
    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    /// <summary>
    /// Reads up to <paramref name="buffer"/>.Length bytes of the current VDC_Write, waiting asynchronously for the next
    /// one if needed. Completes synchronously when bytes are at hand.
    /// </summary>
    /// <param name="buffer">Where to copy the bytes.</param>
    /// <param name="cancellationToken">Ends a wait with <see cref="OperationCanceledException"/> (at once over OpenVdi's transport, within about 50 ms over another implementation); the stream stays usable.</param>
    /// <returns>The number of bytes copied (from one command at most); 0 at the device's end.</returns>
    /// <exception cref="VdiException">As <see cref="Read(Span{byte})"/>.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        int copied;
        while (!TryTakeHeld(buffer.Span, out copied))
        {
            if (_ended || await _device.GetCommandAsync(cancellationToken).ConfigureAwait(false) is not { } command)
            {
                _ended = true;
                return 0;
            }

            Accept(command);
        }

        return copied;
    }

    /// <inheritdoc cref="ReadAsync(Memory{byte}, CancellationToken)"/>
    /// <param name="buffer">Where to copy the bytes.</param>
    /// <param name="offset">The first index of <paramref name="buffer"/> to fill.</param>
    /// <param name="count">The most bytes to copy.</param>
    /// <param name="cancellationToken">Ends a wait with <see cref="OperationCanceledException"/>.</param>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>
    /// The device loop of a BACKUP: writes every remaining byte of the device to <paramref name="destination"/>
    /// straight from the shared buffers, until the device's end (VD_E_CLOSE).
    /// </summary>
    /// <remarks>
    /// <para>
    /// A VDC_Write is completed once the destination's Write of its bytes returned. A VDC_Flush or VDC_Complete is
    /// completed only once the destination is durable: a <see cref="FileStream"/> is flushed to disk (fsync), any
    /// other stream is flushed with <see cref="Stream.Flush()"/>, which it should make durable. So a BACKUP that
    /// succeeded has landed.
    /// </para>
    /// <para>
    /// When the destination fails (an <see cref="IOException"/>), the command whose bytes it could not take is
    /// completed with <see cref="Win32Error.ForWriteFailure"/> (ERROR_DISK_FULL or ERROR_WRITE_FAULT), and so is
    /// every later VDC_Write, VDC_Flush and VDC_Complete: the server fails the BACKUP. The device is answered until
    /// its end, and then the destination's exception is thrown, also when the server aborted the set in reply.
    /// </para>
    /// </remarks>
    /// <param name="destination">Where the backup goes.</param>
    /// <param name="bufferSize">Ignored: no intermediate buffer is used.</param>
    /// <exception cref="IOException">The destination failed; the server was told so.</exception>
    /// <exception cref="VdiException">As <see cref="Read(Span{byte})"/>.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    public override void CopyTo(Stream destination, int bufferSize)
    {
        ValidateCopyToArguments(destination, bufferSize);
        ThrowIfDisposed();
        var copy = new CopyFailure(write: true);
        try
        {
            while (true)
            {
                if (_holding && _offset < _held.Size)
                {
                    try
                    {
                        destination.Write(_held.Data[_offset..]);
                        Consumed((int)_held.Size - _offset);
                    }
                    catch (IOException e)
                    {
                        FailHeld(copy.Record(e));
                    }

                    continue;
                }

                CompleteHeld();
                if (_ended || !_device.TryGetCommandCore(VdiTimeout.Infinite, out var command))
                {
                    _ended = true;
                    copy.ThrowIfFailed();
                    return;
                }

                if (AcceptForCopy(command, copy))
                {
                    try
                    {
                        FlushDurably(destination);
                        command.Complete();
                    }
                    catch (IOException e)
                    {
                        command.Complete(copy.Record(e), 0);
                    }
                }
            }
        }
        catch (VdiException) when (copy.HasFailed)
        {
            // The server aborted because of the destination's failure: that failure is the cause to report.
            copy.ThrowIfFailed();
            throw;
        }
    }

    /// <summary>As <see cref="CopyTo(Stream, int)"/>, asynchronously; the device's waits take no thread.</summary>
    /// <param name="destination">Where the backup goes.</param>
    /// <param name="bufferSize">Ignored: no intermediate buffer is used.</param>
    /// <param name="cancellationToken">Cancels a wait for the next command, or the destination's write or flush.</param>
    /// <returns>A task that completes at the device's end.</returns>
    /// <exception cref="IOException">The destination failed; the server was told so.</exception>
    /// <exception cref="VdiException">As <see cref="Read(Span{byte})"/>.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ValidateCopyToArguments(destination, bufferSize);
        ThrowIfDisposed();
        var copy = new CopyFailure(write: true);
        try
        {
            while (true)
            {
                if (_holding && _offset < _held.Size)
                {
                    try
                    {
                        await destination.WriteAsync(_held.Memory[_offset..], cancellationToken).ConfigureAwait(false);
                        Consumed((int)_held.Size - _offset);
                    }
                    catch (IOException e)
                    {
                        FailHeld(copy.Record(e));
                    }

                    continue;
                }

                CompleteHeld();
                if (_ended || await _device.GetCommandAsync(cancellationToken).ConfigureAwait(false) is not { } command)
                {
                    _ended = true;
                    copy.ThrowIfFailed();
                    return;
                }

                if (AcceptForCopy(command, copy))
                {
                    try
                    {
                        await FlushDurablyAsync(destination, cancellationToken).ConfigureAwait(false);
                        command.Complete();
                    }
                    catch (IOException e)
                    {
                        command.Complete(copy.Record(e), 0);
                    }
                }
            }
        }
        catch (VdiException) when (copy.HasFailed)
        {
            copy.ThrowIfFailed();
            throw;
        }
    }

    /// <summary>
    /// Fails the device: completes the VDC_Write the stream holds (the one the last read took bytes from) with
    /// <paramref name="completionCode"/> and no bytes, for instance <see cref="Win32Error.ERROR_DISK_FULL"/> when the
    /// backup cannot be stored; the server fails the BACKUP. When no command is held (nothing read yet), the next
    /// command the device delivers is failed instead, waiting for it. Reads may go on afterwards: the server decides
    /// whether to send VDC_ClearError or to close the device.
    /// </summary>
    /// <param name="completionCode">A Win32 failure code.</param>
    /// <returns>True when a command was failed; false when the device ended first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="completionCode"/> is ERROR_SUCCESS.</exception>
    /// <exception cref="VdiException">VD_E_ABORT when the set aborted; otherwise as <see cref="Read(Span{byte})"/>.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    public bool Fail(uint completionCode)
    {
        ThrowIfFailureCodeInvalid(completionCode);
        ThrowIfDisposed();
        if (!_holding)
        {
            if (_ended || !_device.TryGetCommandCore(VdiTimeout.Infinite, out var next))
            {
                _ended = true;
                return false;
            }

            Hold(next);
        }

        FailHeld(completionCode);
        return true;
    }

    /// <summary>As <see cref="Fail"/>, waiting asynchronously for a command when none is held.</summary>
    /// <param name="completionCode">A Win32 failure code.</param>
    /// <param name="cancellationToken">Cancels the wait for a command.</param>
    /// <returns>True when a command was failed; false when the device ended first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="completionCode"/> is ERROR_SUCCESS.</exception>
    /// <exception cref="VdiException">As <see cref="Fail"/>.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<bool> FailAsync(uint completionCode, CancellationToken cancellationToken = default)
    {
        ThrowIfFailureCodeInvalid(completionCode);
        ThrowIfDisposed();
        if (!_holding)
        {
            if (_ended || await _device.GetCommandAsync(cancellationToken).ConfigureAwait(false) is not { } next)
            {
                _ended = true;
                return false;
            }

            Hold(next);
        }

        FailHeld(completionCode);
        return true;
    }

    /// <summary>Does nothing: the stream is read-only.</summary>
    public override void Flush()
    {
    }

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Seek(long offset, SeekOrigin origin) => ThrowHelper.ThrowNotSupported<long>();

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void SetLength(long value) => ThrowHelper.ThrowNotSupported();

    /// <summary>Not supported: the stream is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void Write(byte[] buffer, int offset, int count) => ThrowHelper.ThrowNotSupported();

    /// <summary>
    /// Answers the command the stream holds: ERROR_SUCCESS when all its bytes were read, ERROR_OPERATION_ABORTED when
    /// the reader stopped part-way. Does not wait for the device's end: disposing the set before that aborts it.
    /// </summary>
    /// <param name="disposing">True from <see cref="Stream.Dispose()"/>.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031", Justification = "Dispose must not throw because the set aborted or closed underneath.")]
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (_holding)
            {
                try
                {
                    if (_offset == _held.Size)
                    {
                        CompleteHeld();
                    }
                    else
                    {
                        FailHeld(Win32Error.ERROR_OPERATION_ABORTED);
                    }
                }
                catch (Exception e) when (e is VdiException or ObjectDisposedException or InvalidOperationException)
                {
                    // The set aborted or was closed: the server already saw ERROR_OPERATION_ABORTED.
                    _holding = false;
                }
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Answers a command met by a copy: holds a VDC_Write with data (or fails it after a destination failure), and
    /// returns true, without completing it, for a VDC_Flush or VDC_Complete, which waits for the destination's flush.
    /// </summary>
    private bool AcceptForCopy(DeviceCommand command, CopyFailure copy)
    {
        switch (command.Code)
        {
            case VdCommandCode.VDC_Write or VdCommandCode.VDC_Flush or VdCommandCode.VDC_Complete when copy.HasFailed:
                command.Complete(copy.Code, 0);
                return false;
            case VdCommandCode.VDC_Flush or VdCommandCode.VDC_Complete:
                return true;
            default:
                Accept(command);
                return false;
        }
    }

    /// <summary>Makes what <paramref name="destination"/> took durable: fsync for a file, its own Flush otherwise.</summary>
    private static void FlushDurably(Stream destination)
    {
        destination.Flush();
        if (destination is FileStream file)
        {
            RandomAccess.FlushToDisk(file.SafeFileHandle);
        }
    }

    private static async ValueTask FlushDurablyAsync(Stream destination, CancellationToken cancellationToken)
    {
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (destination is FileStream file)
        {
            // fsync blocks: off the caller's thread, as FileStream's own asynchronous calls are.
            await Task.Run(() => RandomAccess.FlushToDisk(file.SafeFileHandle), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Copies bytes of the held command, if it has any left; false when a command must be fetched.</summary>
    private bool TryTakeHeld(Span<byte> buffer, out int copied)
    {
        copied = 0;
        if (!_holding)
        {
            return false;
        }

        int left = (int)_held.Size - _offset;
        if (left == 0)
        {
            // The reader came back for more: the command's bytes are all taken.
            CompleteHeld();
            return false;
        }

        copied = Math.Min(left, buffer.Length);
        _held.Data.Slice(_offset, copied).CopyTo(buffer);
        Consumed(copied);
        return true;
    }

    private void Consumed(int count)
    {
        _offset += count;
        _bytesRead += count;
    }

    /// <summary>Answers a fetched command: holds a VDC_Write with data, completes everything else at once.</summary>
    private void Accept(DeviceCommand command)
    {
        switch (command.Code)
        {
            case VdCommandCode.VDC_Write when command.Size > 0:
                Hold(command);
                break;
            case VdCommandCode.VDC_Write or VdCommandCode.VDC_Flush or VdCommandCode.VDC_Complete or VdCommandCode.VDC_ClearError:
                command.Complete();
                break;
            default:
                command.Complete(Win32Error.ERROR_NOT_SUPPORTED);
                break;
        }
    }

    private void Hold(DeviceCommand command)
    {
        _held = command;
        _offset = 0;
        _holding = true;
    }

    private void CompleteHeld()
    {
        if (_holding)
        {
            _holding = false;
            _held.Complete();
        }
    }

    private void FailHeld(uint completionCode)
    {
        _holding = false;
        _held.Complete(completionCode, 0);
    }

    private static void ThrowIfFailureCodeInvalid(uint completionCode)
    {
        if (completionCode == Win32Error.ERROR_SUCCESS)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(completionCode), "A failure needs a code other than ERROR_SUCCESS.");
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(this);
        }
    }
}
