using System.Diagnostics.CodeAnalysis;

namespace OpenVdi;

/// <summary>
/// The assembly's throw sites. Keeping each <c>throw</c> in a method of its own lets the callers on the command path
/// stay small enough to inline, and makes their failure branches a plain call the JIT places out of line.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowVdi(VdiResult result, string? operation = null) => throw new VdiException(result, operation);

    /// <summary>The exception for a failing <paramref name="result"/>, for code that must not throw (task faults).</summary>
    public static VdiException CreateVdi(VdiResult result, string? operation = null) => new(result, operation);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(object instance) => throw new ObjectDisposedException(instance.GetType().FullName);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(Type type) => throw new ObjectDisposedException(type.FullName);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, string message) => throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn]
    public static void ThrowNotSupported() => throw new NotSupportedException("The stream does not support seeking, length or this direction of transfer.");

    [DoesNotReturn]
    public static T ThrowNotSupported<T>() => throw new NotSupportedException("The stream does not support seeking, length or this direction of transfer.");
}
