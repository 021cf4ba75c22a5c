using System.Runtime.InteropServices;

namespace OpenVdi.Transport;

/// <summary>
/// Linux futex wait and wake on a 32-bit word in shared memory. Always the shared (non-private) operations:
/// the private ones never wake a waiter in another process.
/// </summary>
internal static unsafe class Futex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;

    private static readonly long s_syscallNumber = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => throw new PlatformNotSupportedException("OpenVdi's transport supports x86-64 and arm64 Linux."),
    };

    /// <summary>
    /// Sleeps while <c>*word == expected</c>, for at most <paramref name="timeoutMs"/> milliseconds. Returns at
    /// once when the word already differs. Spurious returns are possible: callers re-check their condition.
    /// </summary>
    public static void Wait(int* word, int expected, int timeoutMs)
    {
        var timeout = new Posix.Timespec { Seconds = timeoutMs / 1000, Nanoseconds = (timeoutMs % 1000) * 1_000_000L };
        Posix.Syscall(s_syscallNumber, (nint)word, FutexWait, expected, &timeout, 0, 0);
    }

    /// <summary>Wakes every waiter sleeping on <paramref name="word"/>.</summary>
    public static void WakeAll(int* word) => Posix.Syscall(s_syscallNumber, (nint)word, FutexWake, int.MaxValue, null, 0, 0);
}
