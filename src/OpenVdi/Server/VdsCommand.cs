namespace OpenVdi;

/// <summary>
/// A command as the server sends it (<c>VDS_Command</c>). The caller owns the object and may reuse it once its
/// completion routine has run: the transport keeps no other state for it, so sending allocates nothing.
/// </summary>
public sealed class VdsCommand
{
    /// <summary>The command code (input).</summary>
    public VdCommandCode CommandCode { get; set; }

    /// <summary>Bytes to transfer for Read and Write, a count or a <see cref="VdWhence"/> otherwise (input).</summary>
    public uint Size { get; set; }

    /// <summary>The position input (random-access devices, SetPosition).</summary>
    public ulong InPosition { get; set; }

    /// <summary>The buffer, from AllocateBuffer, for Read and Write (input).</summary>
    public nint Buffer { get; set; }

    /// <summary>Runs on the completion agent's thread when the command completes (or on the sender's thread when sending fails).</summary>
    public Action<VdsCommand>? CompletionRoutine { get; set; }

    /// <summary>Opaque to VDI: for the completion routine.</summary>
    public object? CompletionContext { get; set; }

    /// <summary>The Win32 completion code (output).</summary>
    public uint CompletionCode { get; set; }

    /// <summary>Bytes the client transferred, for Read and Write (output).</summary>
    public uint BytesTransferred { get; set; }

    /// <summary>The position the client reported (output).</summary>
    public ulong OutPosition { get; set; }

    internal void Complete(uint code, uint bytes, ulong position)
    {
        CompletionCode = code;
        BytesTransferred = bytes;
        OutPosition = position;
        CompletionRoutine?.Invoke(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{CommandCode} size={Size} completion={CompletionCode} bytes={BytesTransferred}";
}
