using Xunit;

namespace OpenVdi.Testing;

/// <summary>Awaits a task with a deadline that fails the test with a reason instead of hanging it.</summary>
public static class Within
{
    public static async Task<T> Await<T>(Task<T> task, TimeSpan limit, string failure)
    {
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail(failure);
            throw;
        }
    }
}
