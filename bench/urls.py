"""The portal's URLs plus the bench's baseline views, used only by `make bench`."""

from django.urls import include, path

from exportai.urls import urlpatterns as portal

urlpatterns = [path("bench/", include("bench.baseline")), path("bench/", include("bench.floor")), *portal]
