"""allauth's email page, with the address an administrator gave the account shown verified."""

from allauth.account.views import EmailView as AllauthEmailView

from portal.accounts.services import email_address_record


class EmailView(AllauthEmailView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            email_address_record(user=request.user)
        return super().dispatch(request, *args, **kwargs)


email = EmailView.as_view()
