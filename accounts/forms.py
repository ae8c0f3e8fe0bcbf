"""Forms of the sign-in journey's second step."""

from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(label="Six-digit code from your authenticator app", max_length=12)

    def clean_token(self) -> str:
        digits = "".join(ch for ch in self.cleaned_data["token"] if ch.isdigit())
        if len(digits) not in (6, 8):
            raise forms.ValidationError("Enter the 6-digit code your authenticator app shows.")
        return digits
