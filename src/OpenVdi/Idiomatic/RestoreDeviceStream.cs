namespace OpenVdi;

/// <summary>
/// A RESTORE device as a writable <see cref="Stream"/>: written bytes fill the server's VDC_Read buffers in place,
/// in order, whatever the sizes of the writes and of the reads. <see cref="Complete"/> (or disposing) marks the end
/// of the data.
/// </summary>
/// <remarks>
/// <para>
/// A VDC_Read is held while it fills and completed (ERROR_SUCCESS, all bytes) as soon as it is full. At the end of
/// the data the held read, if any, completes with ERROR_HANDLE_EOF and the bytes actually written into it (a short
/// final read), and every later VDC_Read completes with ERROR_HANDLE_EOF and no bytes, until the server closes the
/// device (VD_E_CLOSE). VDC_ClearError, VDC_Flush and VDC_Complete complete with ERROR_SUCCESS; any other command
/// completes with ERROR_NOT_SUPPORTED.
/// </para>
/// <para>
/// Copies: <see cref="Write(ReadOnlySpan{byte})"/> copies once, from the caller's buffer into the shared buffer, as
/// the <see cref="Stream"/> contract implies. <see cref="CopyFrom"/> and <see cref="CopyFromAsync"/> read a source
/// stream straight into the shared buffers, with no intermediate buffer.
/// </para>
/// <para>
/// When the server closes the device before it took all the data (a RESTORE HEADERONLY reads only the start), a
/// write of more data throws <see cref="VdiException"/> with VD_E_CLOSE (<see cref="VdiException.IsClosed"/>) and
/// <see cref="HasEnded"/> is true: nothing is dropped silently. The stream is not thread-safe.
/// </para>
/// </remarks>
public sealed class RestoreDeviceStream : Stream
{
    private readonly VirtualDevice _device;
    private DeviceCommand _held;
    private bool _holding;
    private int _offset;
    private bool _ended;
    private bool _completed;
    private bool _disposed;
    private long _bytesWritten;

    /// <summary>Feeds the VDC_Read commands of <paramref name="device"/>, an opened device of a RESTORE.</summary>
    /// <param name="device">The device; the stream answers all its commands from now on.</param>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    public RestoreDeviceStream(VirtualDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
    }

    /// <summary>The device the stream feeds.</summary>
    public VirtualDevice Device => _device;

    /// <summary>Whether the device has ended: the server closed it (VD_E_CLOSE).</summary>
    public bool HasEnded => _ended;

    /// <summary>Whether the end of the data was marked (<see cref="Complete"/>, <see cref="CompleteAsync"/> or disposal).</summary>
    public bool IsCompleted => _completed;

    /// <summary>Bytes the server's reads took so far.</summary>
    public long BytesWritten => _bytesWritten;

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => !_disposed && !_completed;

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Length => ThrowHelper.ThrowNotSupported<long>();

    /// <summary>Not supported (see <see cref="BytesWritten"/>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Position
    {
        get => ThrowHelper.ThrowNotSupported<long>();
        set => ThrowHelper.ThrowNotSupported();
    }

    /// <summary>Copies <paramref name="buffer"/> into the server's pending reads, waiting for reads as needed.</summary>
    /// <param name="buffer">The data.</param>
    /// <exception cref="VdiException">VD_E_CLOSE when the server closed the device before taking all the data; VD_E_ABORT when the set aborted; VD_E_PROTOCOL or VD_E_UNEXPECTED as <see cref="VirtualDevice.GetCommandAsync"/>.</exception>
    /// <exception cref="InvalidOperationException">The end of the data was already marked.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfNotWritable();
        while (!buffer.IsEmpty)
        {
            if (!_holding)
            {
                FetchRead();
            }

            int copied = Fill(buffer);
            buffer = buffer[copied..];
        }
    }

    /// <inheritdoc cref="Write(ReadOnlySpan{byte})"/>
    /// <param name="buffer">The data.</param>
    /// <param name="offset">The first index of <paramref name="buffer"/> to write.</param>
    /// <param name="count">How many bytes to write.</param>
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc cref="Write(ReadOnlySpan{byte})"/>
    /// <param name="value">The byte.</param>
    public override void WriteByte(byte value) => Write([value]);

    /// <summary>As <see cref="Write(ReadOnlySpan{byte})"/>, waiting asynchronously for reads. Completes synchronously when reads are at hand.</summary>
    /// <param name="buffer">The data.</param>
    /// <param name="cancellationToken">Ends a wait for a read with <see cref="OperationCanceledException"/> (at once over OpenVdi's transport, within about 50 ms over another implementation); the bytes already copied stay written.</param>
    /// <returns>A task that completes when every byte is in a server buffer.</returns>
    /// <exception cref="VdiException">As <see cref="Write(ReadOnlySpan{byte})"/>.</exception>
    /// <exception cref="InvalidOperationException">The end of the data was already marked.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotWritable();
        while (!buffer.IsEmpty)
        {
            if (!_holding)
            {
                await FetchReadAsync(cancellationToken).ConfigureAwait(false);
            }

            int copied = Fill(buffer.Span);
            buffer = buffer[copied..];
        }
    }

    /// <inheritdoc cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
    /// <param name="buffer">The data.</param>
    /// <param name="offset">The first index of <paramref name="buffer"/> to write.</param>
    /// <param name="count">How many bytes to write.</param>
    /// <param name="cancellationToken">Ends a wait for a read.</param>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>
    /// Reads <paramref name="source"/> to its end straight into the server's read buffers (no intermediate buffer).
    /// Does not mark the end of the data: call <see cref="Complete"/> afterwards.
    /// </summary>
    /// <param name="source">The backup to restore.</param>
    /// <returns>The number of bytes copied.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="IOException">
    /// The source failed: the read it could not fill, and every later VDC_Read until the device's end, completed with
    /// ERROR_READ_FAULT, so the server fails the RESTORE; thrown once the device ended.
    /// </exception>
    /// <exception cref="VdiException">As <see cref="Write(ReadOnlySpan{byte})"/>.</exception>
    /// <exception cref="InvalidOperationException">The end of the data was already marked.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    public long CopyFrom(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfNotWritable();
        long total = 0;
        while (true)
        {
            if (!_holding)
            {
                FetchRead();
            }

            int read;
            try
            {
                read = source.Read(_held.Data[_offset..]);
            }
            catch (IOException e)
            {
                var copy = new CopyFailure(write: false);
                FailUntilEnd(copy.Record(e));
                copy.ThrowIfFailed();
                throw;
            }

            if (read == 0)
            {
                return total;
            }

            total += read;
            Filled(read);
        }
    }

    /// <summary>As <see cref="CopyFrom"/>, asynchronously.</summary>
    /// <param name="source">The backup to restore.</param>
    /// <param name="cancellationToken">Cancels a wait for a read, or the source's read.</param>
    /// <returns>The number of bytes copied.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="IOException">
    /// The source failed: the read it could not fill, and every later VDC_Read until the device's end, completed with
    /// ERROR_READ_FAULT, so the server fails the RESTORE; thrown once the device ended.
    /// </exception>
    /// <exception cref="VdiException">As <see cref="Write(ReadOnlySpan{byte})"/>.</exception>
    /// <exception cref="InvalidOperationException">The end of the data was already marked.</exception>
    /// <exception cref="ObjectDisposedException">The stream or its set was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<long> CopyFromAsync(Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfNotWritable();
        long total = 0;
        while (true)
        {
            if (!_holding)
            {
                await FetchReadAsync(cancellationToken).ConfigureAwait(false);
            }

            int read;
            try
            {
                read = await source.ReadAsync(_held.Memory[_offset..], cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                var copy = new CopyFailure(write: false);
                await FailUntilEndAsync(copy.Record(e), cancellationToken).ConfigureAwait(false);
                copy.ThrowIfFailed();
                throw;
            }

            if (read == 0)
            {
                return total;
            }

            total += read;
            Filled(read);
        }
    }

    /// <summary>
    /// Marks the end of the data and answers the device until its end: the held read completes with
    /// ERROR_HANDLE_EOF and the bytes written into it, every later VDC_Read with ERROR_HANDLE_EOF and no bytes, until
    /// the server closes the device. Blocks until then. Calling it again does nothing.
    /// </summary>
    /// <exception cref="VdiException">VD_E_ABORT when the set aborted; VD_E_PROTOCOL or VD_E_UNEXPECTED as <see cref="VirtualDevice.GetCommandAsync"/>.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public void Complete()
    {
        MarkEnd();
        while (!_ended)
        {
            if (!_device.TryGetCommandCore(VdiTimeout.Infinite, out var command))
            {
                _ended = true;
                break;
            }

            AnswerAfterEnd(command);
        }
    }

    /// <summary>As <see cref="Complete"/>, waiting asynchronously.</summary>
    /// <param name="cancellationToken">Ends the wait for the device's end with <see cref="OperationCanceledException"/>; the end of the data stays marked, and a later call goes on answering.</param>
    /// <returns>A task that completes at the device's end.</returns>
    /// <exception cref="VdiException">As <see cref="Complete"/>.</exception>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        MarkEnd();
        while (!_ended)
        {
            if (await _device.GetCommandAsync(cancellationToken).ConfigureAwait(false) is not { } command)
            {
                _ended = true;
                break;
            }

            AnswerAfterEnd(command);
        }
    }

    /// <summary>
    /// Fails the device: completes the VDC_Read the stream holds with <paramref name="completionCode"/> and no bytes
    /// (for instance when the backup source cannot be read); the server fails the RESTORE. When no read is held, the
    /// next command the device delivers is failed instead, waiting for it.
    /// </summary>
    /// <param name="completionCode">A Win32 failure code.</param>
    /// <returns>True when a command was failed; false when the device ended first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="completionCode"/> is ERROR_SUCCESS.</exception>
    /// <exception cref="VdiException">VD_E_ABORT when the set aborted; VD_E_PROTOCOL or VD_E_UNEXPECTED as <see cref="VirtualDevice.GetCommandAsync"/>.</exception>
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

    /// <summary>
    /// Does nothing: written bytes are already in the server's buffer. A partly filled read is completed when full,
    /// or short at the end of the data.
    /// </summary>
    public override void Flush()
    {
    }

    /// <summary>Does nothing (see <see cref="Flush"/>).</summary>
    /// <param name="cancellationToken">Unused.</param>
    /// <returns>A completed task, or a cancelled one for a cancelled token.</returns>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    /// <summary>Not supported: the stream is write-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override int Read(byte[] buffer, int offset, int count) => ThrowHelper.ThrowNotSupported<int>();

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Seek(long offset, SeekOrigin origin) => ThrowHelper.ThrowNotSupported<long>();

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void SetLength(long value) => ThrowHelper.ThrowNotSupported();

    /// <summary>
    /// Marks the end of the data and answers the device until the server closes it, as <see cref="Complete"/>. An
    /// abort or a closed set ends it quietly.
    /// </summary>
    /// <param name="disposing">True from <see cref="Stream.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            try
            {
                if (!_ended)
                {
                    Complete();
                }
            }
            catch (Exception e) when (e is VdiException or ObjectDisposedException)
            {
                // The set aborted or was closed: the server already saw ERROR_OPERATION_ABORTED.
                _holding = false;
            }
            finally
            {
                _disposed = true;
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>As <see cref="Dispose(bool)"/>, waiting asynchronously for the device's end.</summary>
    /// <returns>A task that completes at the device's end.</returns>
    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            try
            {
                if (!_ended)
                {
                    await CompleteAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is VdiException or ObjectDisposedException)
            {
                _holding = false;
            }
            finally
            {
                _disposed = true;
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for the next VDC_Read, answering every other command on the way.</summary>
    /// <summary>
    /// After the source failed: fails the held read with <paramref name="code"/>, marks the end of the data, and
    /// answers every later VDC_Read with the same code until the device's end. An abort the server answers with
    /// ends it too: the source's failure is what the caller reports.
    /// </summary>
    private void FailUntilEnd(uint code)
    {
        _completed = true;
        FailHeld(code);
        try
        {
            while (_device.TryGetCommandCore(VdiTimeout.Infinite, out var command))
            {
                AnswerAfterFailure(command, code);
            }
        }
        catch (VdiException)
        {
            // The set aborted in reply.
        }

        _ended = true;
    }

    private async ValueTask FailUntilEndAsync(uint code, CancellationToken cancellationToken)
    {
        _completed = true;
        FailHeld(code);
        try
        {
            while (await _device.GetCommandAsync(cancellationToken).ConfigureAwait(false) is { } command)
            {
                AnswerAfterFailure(command, code);
            }
        }
        catch (VdiException)
        {
            // The set aborted in reply.
        }

        _ended = true;
    }

    private static void AnswerAfterFailure(DeviceCommand command, uint code)
    {
        if (command.Code == VdCommandCode.VDC_Read)
        {
            command.Complete(code, 0);
        }
        else
        {
            AnswerAfterEnd(command);
        }
    }

    private void FetchRead()
    {
        while (true)
        {
            if (_ended)
            {
                ThrowClosedEarly();
            }

            if (!_device.TryGetCommandCore(VdiTimeout.Infinite, out var command))
            {
                ThrowClosedEarly();
            }

            if (TryAccept(command))
            {
                return;
            }
        }
    }

    private async ValueTask FetchReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_ended || await _device.GetCommandAsync(cancellationToken).ConfigureAwait(false) is not { } command)
            {
                ThrowClosedEarly();
                return;
            }

            if (TryAccept(command))
            {
                return;
            }
        }
    }

    /// <summary>Holds a VDC_Read with room, completes everything else at once; true when a read is held.</summary>
    private bool TryAccept(DeviceCommand command)
    {
        switch (command.Code)
        {
            case VdCommandCode.VDC_Read when command.Size > 0:
                Hold(command);
                return true;
            case VdCommandCode.VDC_Read or VdCommandCode.VDC_ClearError or VdCommandCode.VDC_Flush or VdCommandCode.VDC_Complete:
                command.Complete();
                return false;
            default:
                command.Complete(Win32Error.ERROR_NOT_SUPPORTED);
                return false;
        }
    }

    /// <summary>After the end of the data: reads get EOF, the rest as before.</summary>
    private static void AnswerAfterEnd(DeviceCommand command)
    {
        switch (command.Code)
        {
            case VdCommandCode.VDC_Read:
                command.Complete(Win32Error.ERROR_HANDLE_EOF, 0);
                break;
            case VdCommandCode.VDC_ClearError or VdCommandCode.VDC_Flush or VdCommandCode.VDC_Complete:
                command.Complete();
                break;
            default:
                command.Complete(Win32Error.ERROR_NOT_SUPPORTED);
                break;
        }
    }

    /// <summary>Copies what fits of <paramref name="data"/> into the held read.</summary>
    private int Fill(ReadOnlySpan<byte> data)
    {
        int copied = Math.Min(data.Length, (int)_held.Size - _offset);
        data[..copied].CopyTo(_held.Data[_offset..]);
        Filled(copied);
        return copied;
    }

    /// <summary>Counts <paramref name="count"/> bytes into the held read, completing it when full.</summary>
    private void Filled(int count)
    {
        _offset += count;
        _bytesWritten += count;
        if (_offset == _held.Size)
        {
            _holding = false;
            _held.Complete();
        }
    }

    /// <summary>The end of the data: the held read, if any, completes short with ERROR_HANDLE_EOF.</summary>
    private void MarkEnd()
    {
        ThrowIfDisposed();
        _completed = true;
        if (_holding)
        {
            _holding = false;
            _held.Complete(Win32Error.ERROR_HANDLE_EOF, (uint)_offset);
        }
    }

    private void Hold(DeviceCommand command)
    {
        _held = command;
        _offset = 0;
        _holding = true;
    }

    private void FailHeld(uint completionCode)
    {
        _holding = false;
        _held.Complete(completionCode, 0);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowClosedEarly()
    {
        _ended = true;
        ThrowHelper.ThrowVdi(VdiResult.VD_E_CLOSE, $"The server closed device '{_device.Name}' before it took all the data");
    }

    private static void ThrowIfFailureCodeInvalid(uint completionCode)
    {
        if (completionCode == Win32Error.ERROR_SUCCESS)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(completionCode), "A failure needs a code other than ERROR_SUCCESS.");
        }
    }

    private void ThrowIfNotWritable()
    {
        ThrowIfDisposed();
        if (_completed)
        {
            ThrowHelper.ThrowInvalidOperation("The end of the data was marked: nothing more can be written.");
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
