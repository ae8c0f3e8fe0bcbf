"""Forms of the sign-in journey's second step, and of the API tokens page."""

from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(label="Six-digit code from your authenticator app", max_length=12)

    def clean_token(self) -> str:
        digits = "".join(ch for ch in self.cleaned_data["token"] if ch.isdigit())
        if len(digits) not in (6, 8):
            raise forms.ValidationError("Enter the 6-digit code your authenticator app shows.")
        return digits


class ConfirmPasswordForm(forms.Form):
    """Issuing an API token from a signed-in page asks for the password again: a token outlives the
    session, so a session left open (or stolen) must not be enough to mint one."""

    password = forms.CharField(
        label="Your password", strip=False, max_length=4096, widget=forms.PasswordInput(render_value=False)
    )
