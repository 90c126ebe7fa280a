using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// One shape for every error a DiSRouter service sends: application/problem+json with the reason in "detail". Without
/// this, what the framework answers by itself (405 for a wrong method, 404 for an unknown path, 500 for an exception)
/// has an empty body, and a client cannot tell a wrong verb from a dead agent.
/// </summary>
public static class ProblemResponses
{
    public static IServiceCollection AddProblemResponses(this IServiceCollection services) =>
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var http = context.HttpContext;
            var problem = context.ProblemDetails;
            if (problem.Detail is not null) return;
            problem.Detail = problem.Status switch
            {
                StatusCodes.Status405MethodNotAllowed =>
                    $"{http.Request.Method} is not allowed on {http.Request.Path}" +
                    (http.Response.Headers.Allow is { Count: > 0 } allow ? $"; allowed: {allow}." : "."),
                StatusCodes.Status404NotFound => $"Nothing is served at {http.Request.Path}.",
                StatusCodes.Status500InternalServerError => "The server failed on this request; it is logged with its trace id.",
                _ => null,
            };
        });

    /// <summary>Exceptions and bodiless error statuses become problems; call first in the pipeline.</summary>
    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
