using System.Numerics;

namespace OpenVdi.Transport;

/// <summary>
/// A 32-bit digest of a command and its completion as one side knows them: the command's sequence, code, size, input
/// position and buffer, then the completion code, bytes transferred and output position. The client writes the digest
/// of the command it delivered (from its own copy, taken when it fetched the slot) and of the completion it gave into
/// the slot; the server computes it from the command it sent (its own copy, taken at SendCommand) and the completion it
/// read. A slot whose fields a third party changed in between (a smaller size, another buffer, a byte count or code
/// rewritten after the client completed) gives another digest, and the completion is not believed. Not a secret: it
/// catches what was changed under both sides' feet, not a writer that forges the slot and the digest together.
/// </summary>
internal static class CommandDigest
{
    /// <summary>The digest's state after the command as it was sent (kept by the server from SendCommand on).</summary>
    public static ulong OfCommand(uint sequence, int code, uint size, ulong position, int bufferPlusOne)
    {
        ulong hash = 0x9E37_79B9_7F4A_7C15;
        hash = Mix(hash, sequence);
        hash = Mix(hash, (uint)code);
        hash = Mix(hash, size);
        hash = Mix(hash, position);
        return Mix(hash, (uint)bufferPlusOne);
    }

    /// <summary>The digest of a command (<see cref="OfCommand"/>) with its completion.</summary>
    public static int WithCompletion(ulong command, uint completionCode, uint bytesTransferred, ulong position)
    {
        ulong hash = Mix(command, completionCode);
        hash = Mix(hash, bytesTransferred);
        hash = Mix(hash, position);
        return (int)(hash ^ (hash >> 32));
    }

    // Multiply-rotate mixing of each word (the 64-bit golden ratio to start, xxHash's prime to multiply).
    private static ulong Mix(ulong hash, ulong value) => BitOperations.RotateLeft((hash ^ value) * 0xC2B2_AE3D_27D4_EB4F, 31);
}
