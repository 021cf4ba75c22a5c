using System.Runtime.CompilerServices;

namespace OpenVdi;

/// <summary>Bridges the faithful layer's result codes to exceptions, for code that mixes the two layers.</summary>
public static class VdiResultExtensions
{
    /// <summary>Whether <paramref name="result"/> is <see cref="VdiResult.NOERROR"/>.</summary>
    /// <param name="result">A result of a faithful-layer call.</param>
    /// <returns>True for NOERROR only.</returns>
    public static bool IsSuccess(this VdiResult result) => result == VdiResult.NOERROR;

    /// <summary>
    /// Throws <see cref="VdiException"/> for any result but <see cref="VdiResult.NOERROR"/>, VD_E_TIMEOUT and
    /// VD_E_CLOSE included: test for those first where they are normal outcomes.
    /// </summary>
    /// <param name="result">A result of a faithful-layer call.</param>
    /// <param name="operation">Names the call in the message (by default, the expression passed as <paramref name="result"/>).</param>
    /// <exception cref="VdiException">Any code but NOERROR, carried in <see cref="VdiException.Result"/>.</exception>
    public static void ThrowIfFailed(this VdiResult result, [CallerArgumentExpression(nameof(result))] string? operation = null)
    {
        if (result != VdiResult.NOERROR)
        {
            ThrowHelper.ThrowVdi(result, operation);
        }
    }

    /// <summary>The code's name, value and meaning (see <see cref="VdiException.Describe"/>).</summary>
    /// <param name="result">Any result.</param>
    /// <returns>One sentence.</returns>
    public static string Describe(this VdiResult result) => VdiException.Describe(result);
}
