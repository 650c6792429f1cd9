"""(being written)"""

from django.http import HttpResponse


def consultation_list(request):
    return HttpResponse("")


def consultation_create(request):
    return HttpResponse("")


def consultation_detail(request, pk):
    return HttpResponse("")
