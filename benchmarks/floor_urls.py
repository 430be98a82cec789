"""`/floor/`: reads a posted answer and redirects, through the same middleware as the public
link, without looking anything up or saving anything — what Django and the web server cost alone."""

from django.http import HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def floor(request):
    request.POST.get("score")
    return HttpResponseRedirect("/thanks/")


urlpatterns = [path("floor/", floor), path("", include("nps_platform.urls"))]
